//! `cargo xtask bundle [--debug]`: the packages a user installs, in `target/packages/`. The
//! desktop app through Tauri's bundler (`.deb`, `.rpm`), the server through cargo-deb (`.deb`
//! with its systemd unit and settings file). `--debug` packages the debug build the tests use,
//! which saves CI a release build; a user's packages are release builds.

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use crate::{
    process::{cargo, has, run, Result},
    root, setup,
};

/// The packages made: the desktop's `.deb`, its `.rpm`, the server's `.deb`.
pub struct Packages {
    pub desktop_deb: PathBuf,
    pub desktop_rpm: PathBuf,
    pub server_deb: PathBuf,
}

pub fn bundle(args: &[String]) -> Result<ExitCode> {
    let debug = args.iter().any(|a| a == "--debug");
    setup::prepare(false)?;
    let made = build(debug)?;
    for p in [&made.desktop_deb, &made.desktop_rpm, &made.server_deb] {
        let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        println!(
            "xtask: {} ({:.1} MB)",
            p.display(),
            size as f64 / 1_000_000.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the packages from what `setup::prepare` built (the debug binaries and the web apps),
/// or from a release build made here.
pub fn build(debug: bool) -> Result<Packages> {
    let root = root();
    cargo_deb()?;
    if !debug {
        run(cargo().current_dir(&root).args([
            "build",
            "--release",
            "-p",
            "xin",
            "-p",
            "xin-server",
        ]))?;
    }
    let profile = if debug { "debug" } else { "release" };
    // The desktop: Tauri's bundler over the binary just built (tauri.conf.json's `bundle`).
    let mut tauri = Command::new(root.join("ui/node_modules/.bin/tauri"));
    tauri
        .current_dir(&root)
        .args(["bundle", "--bundles", "deb,rpm"]);
    if debug {
        tauri.arg("--debug");
    }
    run(&mut tauri)?;
    let out = root.join("target/packages");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let bundles = root.join("target").join(profile).join("bundle");
    let desktop_deb = copy_one(&bundles.join("deb"), ".deb", &out)?;
    let desktop_rpm = copy_one(&bundles.join("rpm"), ".rpm", &out)?;
    // The server: cargo-deb over the binary just built (crates/xin-server's metadata.deb).
    let mut deb = cargo();
    deb.current_dir(&root)
        .args(["deb", "-p", "xin-server", "--no-build", "-o"])
        .arg(&out);
    if debug {
        deb.args(["--profile", "dev"]);
    }
    run(&mut deb)?;
    let server_deb = newest(&out, "xin-server_", ".deb")?;
    Ok(Packages {
        desktop_deb,
        desktop_rpm,
        server_deb,
    })
}

/// cargo-deb, installed once (pinned: its flags are what `build` relies on).
fn cargo_deb() -> Result<()> {
    if has("cargo-deb") {
        return Ok(());
    }
    let home = std::env::var("HOME").unwrap_or_default();
    if Path::new(&format!("{home}/.cargo/bin/cargo-deb")).exists() {
        return Ok(());
    }
    run(cargo().args(["install", "cargo-deb", "--version", "3.8.0", "--locked"]))
}

/// Copies the one package with `ext` in `dir` into `out`.
fn copy_one(dir: &Path, ext: &str, out: &Path) -> Result<PathBuf> {
    let found = newest(dir, "", ext)?;
    let name = found
        .file_name()
        .ok_or_else(|| format!("{} has no name", found.display()))?;
    let to = out.join(name);
    std::fs::copy(&found, &to).map_err(|e| format!("copy {}: {e}", found.display()))?;
    Ok(to)
}

/// The most recently written file in `dir` named `prefix…ext`.
fn newest(dir: &Path, prefix: &str, ext: &str) -> Result<PathBuf> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(prefix) && name.ends_with(ext)
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
        .ok_or_else(|| format!("no {prefix}*{ext} in {}", dir.display()))
}
