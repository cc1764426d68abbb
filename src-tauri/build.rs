//! tauri-build, told where this layout keeps capabilities and which commands the app has. The
//! commands are read from their `#[tauri::command]` functions (see `command_surface.rs`): from
//! that one list come the handler list `lib.rs` installs, each command's `allow-…` permission,
//! the main window's capability, and the UI's typed callers.

#[path = "command_surface.rs"]
mod command_surface;

use std::path::Path;

/// Writes `text` to `path` unless it already holds it (a rewrite would make Cargo rerun this).
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        if let Err(e) = std::fs::write(path, text) {
            panic!("{}: {e}", path.display());
        }
    }
}

fn main() {
    let dir = Path::new("src-tauri");
    println!("cargo:rerun-if-changed=src-tauri");
    let commands = match command_surface::read(dir) {
        Ok(commands) => commands,
        Err(e) => panic!("reading the commands: {e}"),
    };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    write_if_changed(
        &out.join("handlers.rs"),
        &command_surface::handlers(&commands),
    );
    write_if_changed(
        &out.join("commands.ts"),
        &command_surface::typescript(&commands),
    );
    // The capability is a file of the source tree because tauri-build reads it from there.
    write_if_changed(
        &dir.join("capabilities/main.json"),
        &command_surface::main_capability(&commands),
    );
    // tauri-build keeps the names for the whole build; this process ends right after.
    let names: Vec<&'static str> = commands
        .into_iter()
        .map(|c| &*Box::leak(c.name.into_boxed_str()))
        .collect();
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(
            tauri_build::AppManifest::new().commands(Box::leak(names.into_boxed_slice())),
        );
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build: {e:#}");
    }
}
