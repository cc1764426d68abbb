//! `cargo xtask run | test | gen-types`: set-up, build, run and test Xin with nothing but std
//! (and `ctrlc`, pure Rust), so it compiles before any system package is installed.

mod bench;
mod bundle;
mod cluster;
mod installed;
mod nats;
mod postgres;
mod process;
mod run;
mod seaweedfs;
mod setup;
mod test;
mod webrtc_dev;

use std::{path::PathBuf, process::ExitCode};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("test") => test::test(&args[1..]),
        Some("setup") => setup::setup(),
        Some("gen-types") => setup::gen_types(),
        Some("bench") => bench::bench(&args[1..]),
        Some("cluster") => cluster::cluster(&args[1..]),
        Some("bundle") => bundle::bundle(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run [--server URL] [--demo] [--listen ADDR]   set up, build, start the server and the desktop app\n  test [--e2e NAME | --postgres]                 set up, build, run every test; ends with `N passed, N failed`\n  cluster [--demo]                               PostgreSQL, NATS, S3, two server nodes and haproxy, and the desktop app through them
  bundle [--debug]                               the desktop's .deb and .rpm and the server's .deb, in target/packages\n  setup                                          install what is missing and build\n  gen-types                                      regenerate ui/src/bindings.ts and desktop/commands.ts from the Rust\n  bench [--quick] [--postgres | --cluster]       run the benchmarks (release build) and print their figures"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
