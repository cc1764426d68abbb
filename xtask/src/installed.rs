//! The packages as a user and an admin meet them: built (debug), installed with apt on this
//! machine, every file where the package says, the unit verified by systemd, the installed
//! server started the way its unit starts it (its user, its settings file, its state
//! directory), the installed desktop app launched from its menu entry's command line and signed
//! in by QR against it (`tests/e2e/installed.test.mjs`), then both packages purged: nothing
//! but the data stays.

use std::{
    collections::BTreeMap,
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
    process::Command,
};

use crate::{
    bundle,
    process::{free_port, run, wait_for_port, Background, Result},
};

const UNIT: &str = "/usr/lib/systemd/system/xin-server.service";
const SETTINGS: &str = "/etc/xin-server/xin-server.env";
const STATE: &str = "/var/lib/xin-server";

/// Named checks, each passed or failed with why.
#[derive(Default)]
pub struct Checks(Vec<(String, std::result::Result<(), String>)>);

impl Checks {
    fn check(&mut self, name: &str, outcome: std::result::Result<(), String>) {
        match &outcome {
            Ok(()) => println!("xtask: packages: ok: {name}"),
            Err(e) => println!("xtask: packages: FAILED: {name}: {e}"),
        }
        self.0.push((name.to_string(), outcome));
    }

    pub fn counts(&self) -> (u64, u64) {
        let failed = self.0.iter().filter(|(_, o)| o.is_err()).count() as u64;
        (self.0.len() as u64 - failed, failed)
    }
}

/// Runs every check; `e2e` runs the given end-to-end file against the installed app and
/// server (it sets the harness's environment) and answers its (passed, failed).
pub fn check(e2e: impl FnOnce(&Path, &str) -> Result<(u64, u64)>) -> Result<(Checks, u64, u64)> {
    let mut checks = Checks::default();
    let made = bundle::build(true)?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .arg(&made.server_deb)
        .arg(&made.desktop_deb)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    let files: Vec<PathBuf> = ["xin-server", "xin"]
        .iter()
        .flat_map(|p| listed(p).unwrap_or_default())
        .collect();
    checks.check(
        "every file of both packages is installed",
        every_exists(&files),
    );
    for wanted in [
        "/usr/bin/xin-server",
        "/usr/share/xin-server/companion/index.html",
        "/usr/share/xin-server/console/index.html",
        SETTINGS,
        UNIT,
        "/usr/bin/xin",
        "/usr/share/applications/Xin.desktop",
        "/usr/share/icons/hicolor/16x16/apps/xin.png",
        "/usr/share/icons/hicolor/48x48/apps/xin.png",
        "/usr/share/icons/hicolor/256x256/apps/xin.png",
        "/usr/share/icons/hicolor/512x512/apps/xin.png",
    ] {
        checks.check(
            &format!("the packages put {wanted} in place"),
            if files.iter().any(|f| f == Path::new(wanted)) {
                Ok(())
            } else {
                Err("not in `dpkg -L`".into())
            },
        );
    }
    checks.check(
        "the settings are readable by the service alone",
        settings_mode(),
    );
    checks.check("systemd-analyze verify accepts the unit", verify_unit());
    let exec = menu_command();
    checks.check(
        "the menu entry starts /usr/bin/xin, named in English and 简体中文",
        exec.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    checks.check(
        "the system opens xin:// links with the installed app",
        link_handler(),
    );

    match start_installed_server() {
        Ok((server, url)) => {
            checks.check("the installed server starts as its unit runs it", Ok(()));
            checks.check(
                "it serves the installed phone companion",
                companion_served(url.trim_start_matches("http://")),
            );
            let app = exec.unwrap_or_else(|_| PathBuf::from("/usr/bin/xin"));
            let (p, f) = e2e(&app, &url)?;
            checks.check(
                "the installed app, started by a link, asks for its server, signs in by QR and opens the link",
                if f == 0 && p > 0 {
                    Ok(())
                } else {
                    Err(format!("{p} passed, {f} failed"))
                },
            );
            drop(server);
        }
        Err(e) => checks.check("the installed server starts as its unit runs it", Err(e)),
    }

    run(Command::new("apt-get")
        .args(["purge", "-y", "-q", "xin", "xin-server"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    let left: Vec<&PathBuf> = files.iter().filter(|f| f.is_file()).collect();
    checks.check(
        "purging both packages leaves none of their files",
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("left: {left:?}"))
        },
    );
    checks.check(
        "the data stays",
        if Path::new(STATE).join("xin.db").is_file() {
            Ok(())
        } else {
            Err(format!("{STATE}/xin.db is gone"))
        },
    );
    // This machine's own tidiness, not the package's: the next run starts afresh.
    let _ = std::fs::remove_dir_all(STATE);
    let (p, f) = checks.counts();
    Ok((checks, p, f))
}

/// The files (not directories) `dpkg -L` lists for `package`.
fn listed(package: &str) -> Result<Vec<PathBuf>> {
    let out = Command::new("dpkg")
        .args(["-L", package])
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect())
}

fn every_exists(files: &[PathBuf]) -> std::result::Result<(), String> {
    if files.len() < 10 {
        return Err(format!("only {} files listed", files.len()));
    }
    match files.iter().find(|f| !f.exists()) {
        Some(missing) => Err(format!("{} is missing", missing.display())),
        None => Ok(()),
    }
}

fn settings_mode() -> std::result::Result<(), String> {
    let meta = std::fs::metadata(SETTINGS).map_err(|e| e.to_string())?;
    let group = Command::new("getent")
        .args(["group", "xin-server"])
        .output()
        .map_err(|e| e.to_string())?;
    let gid = String::from_utf8_lossy(&group.stdout)
        .split(':')
        .nth(2)
        .and_then(|g| g.trim().parse::<u32>().ok())
        .ok_or("no xin-server group")?;
    if meta.mode() & 0o777 == 0o640 && meta.gid() == gid {
        Ok(())
    } else {
        Err(format!(
            "mode {:o}, group {}",
            meta.mode() & 0o777,
            meta.gid()
        ))
    }
}

fn verify_unit() -> std::result::Result<(), String> {
    let out = Command::new("systemd-analyze")
        .args(["verify", UNIT])
        .output()
        .map_err(|e| e.to_string())?;
    let said = String::from_utf8_lossy(&out.stderr);
    // Only what it says of this unit counts (a container's own units may draw remarks).
    let ours: Vec<&str> = said.lines().filter(|l| l.contains("xin-server")).collect();
    if out.status.success() && ours.is_empty() {
        Ok(())
    } else {
        Err(said.into_owned())
    }
}

/// The menu entry's command, found on the PATH as a desktop would.
fn menu_command() -> std::result::Result<PathBuf, String> {
    let entry = std::fs::read_to_string("/usr/share/applications/Xin.desktop")
        .map_err(|e| e.to_string())?;
    if !entry.lines().any(|l| l.starts_with("Name[zh_CN]=")) {
        return Err("no Name[zh_CN]".into());
    }
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .and_then(|e| e.split_whitespace().next())
        .ok_or("no Exec line")?;
    let found = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| Path::new(d).join(exec))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{exec} is not on the PATH"))?;
    if found == Path::new("/usr/bin/xin") {
        Ok(found)
    } else {
        Err(format!("Exec runs {}", found.display()))
    }
}

/// The menu entry claims `xin://` and passes the link on (`%u`), and the system's index names
/// it as the handler: what a browser asks (`xdg-mime`) before it starts `xin <link>`.
fn link_handler() -> std::result::Result<(), String> {
    let entry = std::fs::read_to_string("/usr/share/applications/Xin.desktop")
        .map_err(|e| e.to_string())?;
    if !entry.lines().any(|l| l == "MimeType=x-scheme-handler/xin;") {
        return Err("the entry claims no x-scheme-handler/xin".into());
    }
    if !entry
        .lines()
        .any(|l| l.starts_with("Exec=") && l.ends_with(" %u"))
    {
        return Err("the entry's Exec does not pass the link (%u)".into());
    }
    let out = Command::new("xdg-mime")
        .args(["query", "default", "x-scheme-handler/xin"])
        .output()
        .map_err(|e| format!("xdg-mime: {e}"))?;
    let handler = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if handler == "Xin.desktop" {
        Ok(())
    } else {
        Err(format!("xdg-mime names {handler:?}"))
    }
}

/// What the unit does, done by hand (no systemd runs here): its state directory owned by its
/// user, its settings file and `Environment=` lines, its command as its user. Only the listen
/// address differs: a free port instead of 7420.
fn start_installed_server() -> Result<(Background, String)> {
    let unit = std::fs::read_to_string(UNIT).map_err(|e| e.to_string())?;
    let mut env = BTreeMap::new();
    for line in unit.lines().filter_map(|l| l.strip_prefix("Environment=")) {
        if let Some((k, v)) = line.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
    }
    let settings = std::fs::read_to_string(SETTINGS).map_err(|e| e.to_string())?;
    for line in settings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some((k, v)) = line.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
    }
    let user = unit
        .lines()
        .find_map(|l| l.strip_prefix("User="))
        .ok_or("the unit names no User=")?;
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .ok_or("the unit has no ExecStart=")?;
    run(Command::new("install").args(["-d", "-o", user, "-g", user, "-m", "0750", STATE]))?;
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    env.insert("XIN_LISTEN".into(), listen.clone());
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", user, "--regid", user, "--init-groups", "--"])
        .args(exec.split_whitespace())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(&env)
        // Not the repository: an installed server must find its own files.
        .current_dir("/");
    let server = Background::spawn("installed xin-server", &mut cmd)?;
    wait_for_port(&listen, 30)?;
    Ok((server, format!("http://{listen}")))
}

fn companion_served(listen: &str) -> std::result::Result<(), String> {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(listen).map_err(|e| e.to_string())?;
    write!(conn, "GET /m/ HTTP/1.0\r\nHost: {listen}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut answer = String::new();
    conn.read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    if answer.starts_with("HTTP/1.0 200") && answer.contains("<div id=\"root\"") {
        Ok(())
    } else {
        Err(format!(
            "/m/ answered: {}",
            answer.chars().take(200).collect::<String>()
        ))
    }
}
