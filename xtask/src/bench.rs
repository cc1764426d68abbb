//! `cargo xtask bench`: the server under load from `xin-load` in its own process (real HTTP and
//! WebSockets on loopback), then the engine benchmarks. Figures go into docs/benchmarks.md.

use std::{path::PathBuf, process::Command, process::ExitCode};

use crate::{
    postgres::Postgres,
    process::{self, cargo, Background, Result},
    root,
};

/// `--quick` runs shorter steps and smaller loads (a smoke run, not figures to publish).
/// `--postgres` runs the server's load on a node whose store is a durable PostgreSQL cluster
/// started here, instead of the embedded SQLite (and skips the engine benchmarks).
pub fn bench(args: &[String]) -> Result<ExitCode> {
    let root = root();
    let quick = args.iter().any(|a| a == "--quick");
    let on_postgres = args.iter().any(|a| a == "--postgres");
    process::run(cargo().current_dir(&root).args([
        "build",
        "--release",
        "-p",
        "xin-server",
        "-p",
        "xin-load",
    ]))?;
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
    if quick {
        load.args([
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
        ]);
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
    Ok(ExitCode::SUCCESS)
}
