//! `cargo xtask run`: the server on its embedded SQLite store and the desktop app connected to it.

use std::process::{Command, ExitCode};

use crate::{
    process::{wait_for_port, Background, Result},
    root, setup,
};

struct Options {
    server: Option<String>,
    listen: String,
    demo: bool,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        server: None,
        listen: "0.0.0.0:7420".to_string(),
        demo: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--server" => o.server = Some(it.next().ok_or("--server needs a URL")?.clone()),
            "--listen" => o.listen = it.next().ok_or("--listen needs an address")?.clone(),
            "--demo" => o.demo = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

pub fn run(args: &[String]) -> Result<ExitCode> {
    let o = parse(args)?;
    crate::process::outlive_ctrl_c();
    setup::prepare(false)?;
    let root = root();
    let bin = root.join("target/debug");

    let mut _server = None;
    let server_url = match &o.server {
        Some(url) => url.clone(),
        None => {
            let port = o.listen.rsplit(':').next().unwrap_or("7420").to_string();
            let mut cmd = Command::new(bin.join("xin-server"));
            cmd.args(["--listen", &o.listen])
                .arg("--companion-dir")
                .arg(root.join("ui/dist/mobile"));
            if o.demo {
                // The sample mini-program's backend runs on this machine and takes Xin's
                // webhook deliveries on loopback.
                cmd.arg("--webhook-private-hosts");
            }
            let server = Background::spawn_foreground("xin-server", &mut cmd)?;
            wait_for_port(&format!("127.0.0.1:{port}"), 30)?;
            let lan = lan_address().unwrap_or_else(|| "127.0.0.1".to_string());
            println!("\n  Xin server:       http://127.0.0.1:{port}");
            println!("  Phone companion:  http://{lan}:{port}/m/   (open it on a phone on the same network)");
            println!("  Publishers' console: http://127.0.0.1:{port}/console/\n");
            _server = Some(server);
            format!("http://127.0.0.1:{port}")
        }
    };
    let mut _coffee = None;
    let mut desktop = Command::new(bin.join("xin"));
    desktop.args(["--server", &server_url]);
    if o.demo {
        _coffee = Some(seed_demo(&bin, &server_url)?);
        // Developer mode lets the sample mini-program reach its backend over plain HTTP on
        // loopback (a published one talks HTTPS to its domains).
        desktop.env("XIN_DEVELOPER", "1");
    }
    let mut desktop = Background::spawn_foreground("xin", &mut desktop)?;
    // Stops the server when the window closes; Ctrl-C reaches both through the drop guards.
    let status = desktop.wait()?;
    println!("xtask: the desktop app exited ({status}); stopping.");
    Ok(ExitCode::SUCCESS)
}

fn lan_address() -> Option<String> {
    let out = Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|a| !a.contains(':'))
        .map(str::to_string)
}

/// A lived-in world for a newcomer: people, chats, photos, files, money, Moments, official
/// accounts (see `crates/xin-demo`), and the Summit Coffee mini-program's backend, started.
pub fn seed_demo(bin: &std::path::Path, server: &str) -> Result<Background> {
    let config = std::env::temp_dir().join(format!("xin-coffee-{}.json", std::process::id()));
    let status = Command::new(bin.join("xin-demo"))
        .args([
            "--server",
            server,
            "--coffee-url",
            COFFEE_URL,
            "--coffee-out",
        ])
        .arg(&config)
        .status()
        .map_err(|e| format!("xin-demo: {e}"))?;
    if !status.success() {
        return Err(format!("xin-demo failed ({status})"));
    }
    let text =
        std::fs::read_to_string(&config).map_err(|e| format!("{}: {e}", config.display()))?;
    let _ = std::fs::remove_file(&config);
    // `name=value` lines (see `crates/xin-demo/src/mini_program.rs`).
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_string)
            .ok_or_else(|| format!("xin-demo wrote no {name}"))
    };
    let coffee = Background::spawn(
        "xin-coffee",
        Command::new(bin.join("xin-coffee")).args([
            "--xin",
            server,
            "--account",
            &field("account")?,
            "--secret",
            &field("secret")?,
            "--listen",
            COFFEE_URL.trim_start_matches("http://"),
        ]),
    )?;
    wait_for_port(COFFEE_URL.trim_start_matches("http://"), 30)?;
    Ok(coffee)
}

/// Where the sample mini-program's backend listens in the demo.
const COFFEE_URL: &str = "http://127.0.0.1:7431";
