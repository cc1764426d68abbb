//! `cargo xtask bench`: the server under load from `xin-load` in its own process (real HTTP and
//! WebSockets on loopback), then the engine benchmarks. Figures go into docs/benchmarks.md.

use std::{path::PathBuf, process::Command, process::ExitCode};

use crate::{
    cluster::{Cluster, Shape},
    postgres::Postgres,
    process::{self, cargo, Background, Result},
    root,
};

/// `--quick` runs shorter steps and smaller loads (a smoke run, not figures to publish).
/// `--postgres` runs the server's load on a node whose store is a durable PostgreSQL cluster
/// started here, instead of the embedded SQLite (and skips the engine benchmarks).
/// `--cluster` runs it on two nodes (PostgreSQL, NATS, S3, haproxy; see `cluster.rs`): first
/// with every delivery crossing from one node to the other, then with every client behind
/// haproxy; with the CPU of each part per message. Last, node a is SIGKILLed under load behind
/// haproxy: seconds until its sockets are back and caught up, acknowledged sends lost.
pub fn bench(args: &[String]) -> Result<ExitCode> {
    let root = root();
    let quick = args.iter().any(|a| a == "--quick");
    let on_postgres = args.iter().any(|a| a == "--postgres");
    if args.iter().any(|a| a == "--cluster") {
        return cluster(&root, quick);
    }
    build_release(&root)?;
    let bin = root.join("target/release");
    let data = std::env::temp_dir().join(format!("xin-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = process::free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let postgres = if on_postgres {
        Some(Postgres::durable("bench")?)
    } else {
        None
    };
    let mut node = Command::new(bin.join("xin-server"));
    node.args(["--listen", &addr, "--data-dir"])
        .arg(&data)
        // The load generator signs up and looks up thousands of people from one address.
        .args(["--attempts-per-minute", "1000000"])
        .args(["--signups-per-hour", "1000000"])
        .args(["--lookups-per-hour", "1000000"])
        .env("RUST_LOG", "warn");
    if let Some(pg) = &postgres {
        node.args(["--database-url", &pg.url])
            .args(["--public-url", &format!("http://{addr}")]);
    }
    let server = Background::spawn("xin-server", &mut node)?;
    process::wait_for_port(&addr, 30)?;
    let summary: PathBuf = root.join(if on_postgres {
        "target/bench-server-postgres.md"
    } else {
        "target/bench-server.md"
    });
    let mut load = Command::new(bin.join("xin-load"));
    load.args(["--server", &format!("http://{addr}")])
        .args(["--server-pid", &server.id().to_string()])
        .arg("--markdown")
        .arg(&summary);
    if let Some(pid) = postgres.as_ref().and_then(Postgres::pid) {
        load.args(["--watch", &format!("postgres={pid}")]);
    }
    if quick {
        load.args(QUICK);
    }
    if on_postgres {
        let result = process::run(&mut load);
        drop(server);
        let _ = std::fs::remove_dir_all(&data);
        result?;
        println!(
            "xtask: server summary on PostgreSQL also in {}",
            summary.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let result = process::run(&mut load).and_then(|()| {
        // Files: the engine against the same server, next to curl against a bare HTTP server.
        let mut files = cargo();
        files
            .current_dir(&root)
            .args(["bench", "-p", "xin-core", "--bench", "files"])
            .env("XIN_BENCH_SERVER", format!("http://{addr}"))
            .env("XIN_BENCH_SERVER_PID", server.id().to_string());
        if quick {
            files.env("XIN_BENCH_FILE_MIB", "128");
        }
        process::run(&mut files)
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    result?;
    println!("xtask: server summary also in {}", summary.display());
    println!(
        "xtask: file transfer figures also in {}",
        root.join("target/bench-files.md").display()
    );
    process::run(cargo().current_dir(&root).args([
        "bench",
        "-p",
        "xin-core",
        "--bench",
        "messaging",
    ]))?;
    // Local search over a 1 000 000-message cache (100 000 in the quick run).
    let mut search = cargo();
    search
        .current_dir(&root)
        .args(["bench", "-p", "xin-core", "--bench", "search"]);
    if quick {
        search.env("XIN_BENCH_SEARCH_MESSAGES", "100000");
    }
    process::run(&mut search)?;
    // Call media: two engines in two processes over loopback (median of 5 calls, 3 when quick).
    let mut calls = cargo();
    calls
        .current_dir(&root)
        .args(["bench", "-p", "xin-core", "--bench", "calls"]);
    if quick {
        calls.env("XIN_BENCH_CALLS", "3");
    }
    process::run(&mut calls)?;
    println!(
        "xtask: call figures also in {}",
        root.join("target/bench-calls.md").display()
    );
    phone_calls(&root, quick)?;
    Ok(ExitCode::SUCCESS)
}

/// The phone companion's side of a call: two Chromiums calling each other through the release
/// server, in a network namespace whose only interface is its loopback (as the e2e calls run).
fn phone_calls(root: &std::path::Path, quick: bool) -> Result<()> {
    crate::setup::install_packages(true)?;
    crate::setup::npm_install(&root.join("tests/e2e"))?;
    let out = root.join("target/bench-phone-calls.md");
    let mut phones = Command::new("unshare");
    phones
        .args([
            "--net",
            "sh",
            "-c",
            r#"ip link set lo up && exec node "$@""#,
            "node",
            "bench_phone_calls.mjs",
        ])
        .current_dir(root.join("tests/e2e"))
        .env("XIN_SERVER_BIN", root.join("target/release/xin-server"))
        .env("XIN_COMPANION_DIR", root.join("ui/dist/mobile"))
        .env("XIN_E2E_OUT", root.join("target/e2e"))
        .env("XIN_BENCH_OUT", &out);
    if quick {
        phones.env("XIN_BENCH_CALLS", "3");
    }
    process::run(&mut phones)?;
    println!("xtask: phone call figures also in {}", out.display());
    Ok(())
}

/// The quick run's loads: shorter steps, smaller worlds.
const QUICK: &[&str] = &[
    "--senders",
    "8,64",
    "--duration",
    "2",
    "--group-size",
    "50",
    "--group-senders",
    "8",
    "--idle",
    "500",
    "--payers",
    "32",
    "--wallet-senders",
    "32",
    "--moments-friends",
    "50",
    "--moments-fan-out",
    "200",
];

/// The server and its load generator, as people would run them.
fn build_release(root: &std::path::Path) -> Result<()> {
    process::run(cargo().current_dir(root).args([
        "build",
        "--release",
        "-p",
        "xin-server",
        "-p",
        "xin-load",
    ]))
}

/// Two nodes on PostgreSQL, NATS and S3: messages, a 500-member group and payments, first with
/// senders on node a and receivers on node b, then everyone through haproxy.
fn cluster(root: &std::path::Path, quick: bool) -> Result<ExitCode> {
    crate::setup::install_cluster_packages()?;
    crate::seaweedfs::install()?;
    build_release(root)?;
    let bin = root.join("target/release");
    let cluster = Cluster::start(
        "bench",
        Shape {
            durable: true,
            release: true,
            unlimited: true,
            ..Shape::default()
        },
    )?;
    let pids: Vec<String> = cluster
        .nodes
        .iter()
        .filter_map(|n| n.pid())
        .map(|p| p.to_string())
        .collect();
    let (a, b) = (&cluster.nodes[0].url, &cluster.nodes[1].url);
    let runs = [
        (
            "two nodes, every delivery crossing",
            a,
            b,
            "target/bench-server-two-nodes.md",
        ),
        (
            "two nodes behind haproxy",
            &cluster.url,
            &cluster.url,
            "target/bench-server-haproxy.md",
        ),
    ];
    for (what, send, listen, summary) in runs {
        println!("xtask: {what}");
        let mut load = Command::new(bin.join("xin-load"));
        load.args(["--server", send, "--listen-server", listen])
            .args(["--server-pid", &pids.join(",")])
            .arg("--markdown")
            .arg(root.join(summary))
            // Moments and idle sockets measure one node's reads and memory: not what two add.
            .args([
                "--moments-friends",
                "0",
                "--moments-fan-out",
                "0",
                "--idle",
                "0",
            ]);
        for engine in cluster.engines() {
            load.args(["--watch", &engine]);
        }
        if quick {
            load.args(["--senders", "8,64", "--duration", "2", "--group-size", "50"])
                .args([
                    "--group-senders",
                    "8",
                    "--payers",
                    "32",
                    "--wallet-senders",
                    "32",
                ]);
        } else {
            load.args(["--senders", "8,64,256", "--wallet-senders", "64,256"]);
        }
        process::run(&mut load)?;
        println!("xtask: {what}: summary also in {summary}");
    }
    // Last, as it leaves node a dead: SIGKILL it under load through haproxy.
    let victim = cluster.nodes[0]
        .pid()
        .ok_or("node a has no process id")?
        .to_string();
    let summary = "target/bench-failover.md";
    println!("xtask: failover, node a killed under load");
    process::run(
        Command::new(bin.join("xin-load"))
            .args(["--server", &cluster.url, "--failover-kill", &victim])
            .args(["--pairs", "64", "--markdown"])
            .arg(root.join(summary)),
    )?;
    println!("xtask: failover: summary also in {summary}");
    Ok(ExitCode::SUCCESS)
}
