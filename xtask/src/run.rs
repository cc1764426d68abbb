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
    setup::prepare(false)?;
    let root = root();
    let bin = root.join("target/debug");

    let mut _server = None;
    let server_url = match &o.server {
        Some(url) => url.clone(),
        None => {
            let port = o.listen.rsplit(':').next().unwrap_or("7420").to_string();
            let server = Background::spawn_foreground(
                "xin-server",
                Command::new(bin.join("xin-server"))
                    .args(["--listen", &o.listen])
                    .arg("--companion-dir")
                    .arg(root.join("ui/dist/mobile")),
            )?;
            wait_for_port(&format!("127.0.0.1:{port}"), 30)?;
            let lan = lan_address().unwrap_or_else(|| "127.0.0.1".to_string());
            println!("\n  Xin server:       http://127.0.0.1:{port}");
            println!("  Phone companion:  http://{lan}:{port}/m/   (open it on a phone on the same network)");
            println!("  Publishers' console: http://127.0.0.1:{port}/console/\n");
            _server = Some(server);
            format!("http://127.0.0.1:{port}")
        }
    };
    if o.demo {
        seed_demo(&bin, &server_url)?;
    }
    let mut desktop = Background::spawn_foreground(
        "xin",
        Command::new(bin.join("xin")).args(["--server", &server_url]),
    )?;
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

/// A lived-in world for a newcomer: people, chats, photos and files (see `crates/xin-demo`).
fn seed_demo(bin: &std::path::Path, server: &str) -> Result<()> {
    let status = Command::new(bin.join("xin-demo"))
        .args(["--server", server])
        .status()
        .map_err(|e| format!("xin-demo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("xin-demo failed ({status})"))
    }
}
