//! `xin-load`: drives a running xin-server the way real clients do — real HTTP sends and real
//! WebSocket receivers, from its own process — and prints one table of throughput, latency
//! percentiles (HdrHistogram) and the server's CPU and memory.

mod client;
mod failover;
mod moments;
mod receiver;
mod scenarios;
mod server_stats;
mod wallet;

use std::{process::ExitCode, time::Duration};

use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(name = "xin-load", about = "Load generator for xin-server")]
pub struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:7420")]
    pub server: String,
    /// Where the receivers' sockets connect (another node of the same service); default:
    /// `--server`. Every delivery then crosses from one node to the other.
    #[arg(long)]
    pub listen_server: Option<String>,
    /// The server nodes' process ids, to report their CPU and memory (summed).
    #[arg(long, value_delimiter = ',')]
    pub server_pid: Vec<u32>,
    /// Another process to report the CPU of, with its children: `postgres=PID`,
    /// `nats=PID`. Repeatable.
    #[arg(long)]
    pub watch: Vec<String>,
    /// Concurrent senders to sweep (each waits for its answer before the next send).
    #[arg(long, value_delimiter = ',', default_value = "8,64,256,1024")]
    pub senders: Vec<usize>,
    /// Direct-chat pairs the senders are spread over.
    #[arg(long, default_value_t = 64)]
    pub pairs: usize,
    /// Members of the group scenario (0 skips it).
    #[arg(long, default_value_t = 500)]
    pub group_size: usize,
    /// Concurrent senders in the group scenario.
    #[arg(long, value_delimiter = ',', default_value = "8,64")]
    pub group_senders: Vec<usize>,
    /// Wallets paying each other in the payment steps (0 skips them).
    #[arg(long, default_value_t = 256)]
    pub payers: usize,
    /// Concurrent payers to sweep (closed loop), spread and onto one hot account.
    #[arg(long, value_delimiter = ',', default_value = "64,256,1024")]
    pub wallet_senders: Vec<usize>,
    /// Friends of the Moments reader, each posting `--moments-posts` times (0 skips the step).
    #[arg(long, default_value_t = 1000)]
    pub moments_friends: usize,
    #[arg(long, default_value_t = 20)]
    pub moments_posts: usize,
    /// Friends of the author whose posts are fanned out (0 skips the step).
    #[arg(long, default_value_t = 5000)]
    pub moments_fan_out: usize,
    /// Idle WebSocket connections to open for the memory figure (0 skips it).
    #[arg(long, default_value_t = 10_000)]
    pub idle: usize,
    /// Seconds each measured step runs.
    #[arg(long, default_value_t = 5)]
    pub duration: u64,
    /// Instead of the other steps: SIGKILL this server process (one node behind `--server`,
    /// a balancer) under 1:1 load, and measure how long its sockets take to come back.
    #[arg(long)]
    pub failover_kill: Option<u32>,
    /// Seconds of load before the kill, and again after it.
    #[arg(long, default_value_t = 3)]
    pub failover_seconds: u64,
    /// Write the summary table (Markdown) here too.
    #[arg(long)]
    pub markdown: Option<std::path::PathBuf>,
}

impl Args {
    pub fn step(&self) -> Duration {
        Duration::from_secs(self.duration.max(1))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Ten thousand sockets need ten thousand descriptors.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("xin-load: could not raise the open-file limit: {e}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xin-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(victim) = args.failover_kill {
        let pairs = args.pairs;
        let run = failover::run(&args.server, pairs, victim, args.failover_seconds);
        return match runtime.block_on(run) {
            Ok(table) => {
                println!("\n{table}");
                match &args.markdown {
                    Some(path) => match std::fs::write(path, &table) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("xin-load: {}: {e}", path.display());
                            ExitCode::FAILURE
                        }
                    },
                    None => ExitCode::SUCCESS,
                }
            }
            Err(e) => {
                eprintln!("xin-load: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match runtime.block_on(scenarios::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xin-load: {e}");
            ExitCode::FAILURE
        }
    }
}
