//! The link-time files of GStreamer's WebRTC library, for the desktop's call engine.
//!
//! The `gstreamer-webrtc` crate needs `gstreamer-webrtc-1.0.pc` and the `libgstwebrtc-1.0.so`
//! link name. On Debian 12 both live only in `libgstreamer-plugins-bad1.0-dev`, which depends on
//! OpenCV's development files (about 140 packages, 113 MiB) that Xin never uses. So unless that
//! package is installed already, set-up downloads it alone and unpacks just these two files into
//! `target/tools/gst-webrtc-dev`, which `.cargo/config.toml` puts on `PKG_CONFIG_PATH`. The
//! library itself (`libgstwebrtc-1.0.so.0`) comes from the installed runtime package.

use std::{path::Path, process::Command};

use crate::{
    process::{run, Result},
    root,
};

const PACKAGE: &str = "libgstreamer-plugins-bad1.0-dev";
const LIB_DIR: &str = "/usr/lib/x86_64-linux-gnu";

pub fn install() -> Result<()> {
    let dir = root().join("target/tools/gst-webrtc-dev");
    let pc = dir.join("pkgconfig/gstreamer-webrtc-1.0.pc");
    if pc.exists() || system_has_it() {
        return Ok(());
    }
    let work = dir.join("download");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    run(Command::new("apt-get")
        .current_dir(&work)
        .args(["download", "-q", PACKAGE]))?;
    let deb = std::fs::read_dir(&work)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| format!("apt-get download {PACKAGE} left no .deb"))?;
    let unpacked = work.join("unpacked");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked))?;
    let original = std::fs::read_to_string(unpacked.join(format!(
        "{}/pkgconfig/gstreamer-webrtc-1.0.pc",
        LIB_DIR.trim_start_matches('/')
    )))
    .map_err(|e| format!("{PACKAGE} has no gstreamer-webrtc-1.0.pc: {e}"))?;
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).map_err(|e| e.to_string())?;
    link(
        &Path::new(LIB_DIR).join("libgstwebrtc-1.0.so.0"),
        &lib.join("libgstwebrtc-1.0.so"),
    )?;
    // Only the link directory moves; headers and everything else stay the system's.
    let rewritten: String = original
        .lines()
        .map(|l| {
            if l.starts_with("libdir=") {
                format!("libdir={}\n", lib.display())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::create_dir_all(dir.join("pkgconfig")).map_err(|e| e.to_string())?;
    std::fs::write(&pc, rewritten).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "xtask: unpacked the GStreamer WebRTC link files into {}",
        dir.display()
    );
    Ok(())
}

fn system_has_it() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "gstreamer-webrtc-1.0"])
        .env_remove("PKG_CONFIG_PATH")
        .status()
        .is_ok_and(|s| s.success())
}

fn link(target: &Path, at: &Path) -> Result<()> {
    let _ = std::fs::remove_file(at);
    std::os::unix::fs::symlink(target, at).map_err(|e| format!("linking {}: {e}", at.display()))
}
