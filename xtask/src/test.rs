//! `cargo xtask test`: every suite with the real parts, then one line `N passed, N failed`.
//!
//! The suites run inside a private D-Bus session with gnome-keyring (a real Secret Service)
//! and on a private Xvfb display; both go away when the run ends, whatever happened.

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use crate::{
    cluster::{Cluster, Shape},
    nats::Nats,
    postgres::Postgres,
    seaweedfs::SeaweedFs,
};
use crate::{
    process::{cargo, npm, run_capture, Background, Result},
    root, setup,
};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, name: &str, passed: u64, failed: u64) {
        println!("xtask: {name}: {passed} passed, {failed} failed");
        self.passed += passed;
        self.failed += failed;
    }
}

pub fn test(args: &[String]) -> Result<ExitCode> {
    if args.first().map(String::as_str) == Some("--inside") {
        return inside(&args[1..]);
    }
    setup::prepare(true)?;
    let display = free_display();
    let _xvfb = Background::spawn(
        "Xvfb",
        Command::new("Xvfb").args([
            display.as_str(),
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
        ]),
    )?;
    wait_for_display(&display)?;
    // Re-enter this program inside a D-Bus session with a fresh, unlocked keyring of its own
    // (gnome-keyring creates the login collection only for a non-empty password).
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let keyrings = root().join("target/e2e/keyring-home");
    let _ = std::fs::remove_dir_all(&keyrings);
    std::fs::create_dir_all(&keyrings).map_err(|e| e.to_string())?;
    let script = format!(
        "printf 'xin-test' | XDG_DATA_HOME='{}' gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec '{}' test --inside \"$@\"",
        keyrings.display(),
        me.display()
    );
    let status = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script, "xtask"])
        .args(args)
        .env("DISPLAY", &display)
        .env("NO_AT_BRIDGE", "1")
        .status()
        .map_err(|e| format!("dbus-run-session: {e}"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn free_display() -> String {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .map(|n| format!(":{n}"))
        .unwrap_or_else(|| ":99".to_string())
}

fn wait_for_display(display: &str) -> Result<()> {
    let socket = format!("/tmp/.X11-unix/X{}", display.trim_start_matches(':'));
    for _ in 0..100 {
        if Path::new(&socket).exists() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!("Xvfb did not start on {display}"))
}

/// The suites, inside the D-Bus session. `--e2e NAME` runs only the end-to-end files whose
/// name holds NAME, `--postgres` only the server's suites on PostgreSQL (for working on one
/// feature; the full run is what counts).
fn inside(args: &[String]) -> Result<ExitCode> {
    let root = root();
    let mut tally = Tally::default();
    let only_e2e = match args {
        [flag, name] if flag == "--e2e" => Some(name.as_str()),
        _ => None,
    };
    if args.first().map(String::as_str) == Some("--postgres") {
        server_on_postgres(&root, &mut tally)?;
    } else {
        if only_e2e.is_none() {
            rust_and_ui(&root, &mut tally)?;
        }
        e2e(&root, only_e2e, &mut tally)?;
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Rust (every crate, lints) and the UI's unit tests.
fn rust_and_ui(root: &Path, tally: &mut Tally) -> Result<()> {
    // Rust: every crate, including the keyring tests that need the Secret Service.
    let (ok, out) = run_capture(cargo().current_dir(root).args([
        "test",
        "--workspace",
        "--no-fail-fast",
        "--",
        "--include-ignored",
        // Two nodes racing on one database: they run in the PostgreSQL pass.
        "--skip",
        POSTGRES_ONLY,
    ]))?;
    let (p, f) = cargo_counts(&out);
    tally.add("rust", p, f + u64::from(!ok && f == 0));
    server_on_postgres(root, tally)?;

    // Lints are part of the bar: fmt and clippy with warnings as errors.
    let (ok, _) = run_capture(cargo().current_dir(root).args(["fmt", "--all", "--check"]))?;
    tally.add("cargo fmt --check", u64::from(ok), u64::from(!ok));
    let (ok, _) = run_capture(cargo().current_dir(root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    tally.add("cargo clippy", u64::from(ok), u64::from(!ok));

    // UI unit tests.
    let (ok, out) = run_capture(npm(&root.join("ui")).args(["exec", "--", "vitest", "run"]))?;
    let (p, f) = vitest_counts(&out);
    tally.add("ui (vitest)", p, f + u64::from(!ok && f == 0));
    Ok(())
}

/// Tests of several nodes on one database, which only PostgreSQL can be (their names start so).
const POSTGRES_ONLY: &str = "on_postgres_";

/// Tests that measure SQLite itself (its file's bytes), not the store's behaviour, or back up
/// the embedded store (PostgreSQL is backed up with its own tools).
const SQLITE_ONLY: &[&str] = &[
    "a_500_member_group_stores_a_message_once_and_changes_as_small_rows",
    "a_backup_taken_while_messages_are_sent_restores_every_acknowledged_one_and_a_sound_ledger",
];

/// The server's suites once more as a service of many machines: each test in a database of its
/// own on a PostgreSQL cluster started here, every node joined to the others through a NATS
/// started here, files in an S3 bucket (SeaweedFS) started here. The store keeps one contract
/// on both engines, and several nodes act as one.
fn server_on_postgres(root: &Path, tally: &mut Tally) -> Result<()> {
    let pg = Postgres::for_tests("tests")?;
    let nats = Nats::start()?;
    let s3 = SeaweedFs::start("tests")?;
    let mut cmd = cargo();
    cmd.current_dir(root)
        .env("XIN_TEST_POSTGRES", &pg.url)
        .env("XIN_TEST_NATS", &nats.url)
        .env("XIN_TEST_S3", s3.blobs_url(""))
        .env("AWS_ACCESS_KEY_ID", crate::seaweedfs::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", crate::seaweedfs::SECRET_KEY)
        .args([
            "test",
            "-p",
            "xin-server",
            "--test",
            "*",
            "--no-fail-fast",
            "--",
        ]);
    for name in SQLITE_ONLY {
        cmd.args(["--skip", name]);
    }
    let (ok, out) = run_capture(&mut cmd)?;
    let (p, f) = cargo_counts(&out);
    if !ok {
        println!("xtask: PostgreSQL's log: {}", pg.log().display());
    }
    tally.add(
        &format!(
            "server on PostgreSQL ({} SQLite-only not run)",
            SQLITE_ONLY.len()
        ),
        p,
        f + u64::from(!ok && f == 0),
    );
    Ok(())
}

/// End to end: the real desktop app (tauri-driver) and the phone companion (Chromium).
fn e2e(root: &Path, only: Option<&str>, tally: &mut Tally) -> Result<()> {
    let e2e_out = root.join("target/e2e");
    let _ = std::fs::create_dir_all(&e2e_out);
    let bin = root.join("target/debug");
    let files = e2e_files(&root.join("tests/e2e"), only);
    let mut node = Command::new("node");
    // The cluster test's service: two nodes on PostgreSQL, NATS and S3 behind haproxy, node b
    // held back until the test lets the balancer use it.
    // One that cannot start fails that test (it finds no cluster), not the other suites.
    let started = files
        .iter()
        .any(|f| f.ends_with("cluster.test.mjs"))
        .then(|| {
            Cluster::start(
                "e2e",
                Shape {
                    hold_back_b: true,
                    ..Shape::default()
                },
            )
        })
        .and_then(|r| {
            r.map_err(|e| println!("xtask: the cluster did not start: {e}"))
                .ok()
        });
    let _cluster = if let Some(cluster) = started {
        let nodes: Vec<String> = cluster
            .nodes
            .iter()
            .map(|n| {
                format!(
                    r#"{{"name":"{}","url":"{}","pid":{}}}"#,
                    n.name,
                    n.url,
                    n.pid().unwrap_or(0)
                )
            })
            .collect();
        node.env("XIN_E2E_CLUSTER", &cluster.url)
            .env("XIN_E2E_CLUSTER_ADMIN", &cluster.admin)
            .env("XIN_E2E_CLUSTER_NODES", format!("[{}]", nodes.join(",")));
        Some(cluster)
    } else {
        None
    };
    // Calls run WebRTC between browsers: in a network namespace whose only interface is its
    // own loopback, so no call traffic can reach a real interface.
    let (calls, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| f.ends_with("calls.test.mjs"));
    // The installed app and server: after the packages are built and installed.
    let (installed, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| f.ends_with("installed.test.mjs"));
    let env = |c: &mut Command| {
        c.current_dir(root.join("tests/e2e"))
            .env("XIN_SERVER_BIN", bin.join("xin-server"))
            .env("XIN_DESKTOP_BIN", bin.join("xin"))
            .env("XIN_DEMO_BIN", bin.join("xin-demo"))
            .env("XIN_COFFEE_BIN", bin.join("xin-coffee"))
            .env("XIN_COMPANION_DIR", root.join("ui/dist/mobile"))
            .env("XIN_E2E_OUT", &e2e_out)
            .env("TAURI_DRIVER", tauri_driver_path());
    };
    const TAP: [&str; 3] = ["--test", "--test-reporter=tap", "--test-concurrency=1"];
    if !files.is_empty() {
        env(&mut node);
        let (ok, out) = run_capture(node.args(TAP).args(&files))?;
        let (p, f) = tap_counts(&out);
        tally.add("end-to-end", p, f + u64::from(!ok && f == 0));
    }
    if !calls.is_empty() {
        let mut isolated = Command::new("unshare");
        isolated
            .args([
                "--net",
                "sh",
                "-c",
                r#"ip link set lo up && exec node "$@""#,
                "node",
            ])
            .args(TAP)
            .args(&calls);
        env(&mut isolated);
        let (ok, out) = run_capture(&mut isolated)?;
        let (p, f) = tap_counts(&out);
        tally.add("end-to-end (calls)", p, f + u64::from(!ok && f == 0));
    }
    if let Some(file) = installed.first() {
        let outcome = crate::installed::check(|app, server| {
            let mut node = Command::new("node");
            env(&mut node);
            node.env("XIN_DESKTOP_BIN", app)
                .env("XIN_E2E_INSTALLED_SERVER", server);
            let (ok, out) = run_capture(node.args(TAP).arg(file))?;
            let (p, f) = tap_counts(&out);
            Ok((p, f + u64::from(!ok && f == 0)))
        });
        match outcome {
            Ok((_, p, f)) => tally.add("packages, installed", p, f),
            Err(e) => {
                println!("xtask: packages: {e}");
                tally.add("packages, installed", 0, 1);
            }
        }
    }
    Ok(())
}

fn e2e_files(dir: &Path, only: Option<&str>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
                .filter(|p| only.is_none_or(|name| p.to_string_lossy().contains(name)))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn tauri_driver_path() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let local = format!("{home}/.cargo/bin/tauri-driver");
    if Path::new(&local).exists() {
        local
    } else {
        "tauri-driver".to_string()
    }
}

/// Sums cargo's `test result: ok. 5 passed; 1 failed; ...` lines.
fn cargo_counts(out: &str) -> (u64, u64) {
    let mut total = (0, 0);
    for line in out.lines().filter(|l| l.starts_with("test result:")) {
        total.0 += number_before(line, " passed");
        total.1 += number_before(line, " failed");
    }
    total
}

/// Vitest's summary: `Tests  1 failed | 14 passed (15)`.
fn vitest_counts(out: &str) -> (u64, u64) {
    out.lines()
        .map(strip_ansi)
        .find(|l| l.trim_start().starts_with("Tests "))
        .map(|l| (number_before(&l, " passed"), number_before(&l, " failed")))
        .unwrap_or((0, 0))
}

/// node's TAP reporter: `# pass 3` / `# fail 0`.
fn tap_counts(out: &str) -> (u64, u64) {
    let find = |key: &str| {
        out.lines()
            .rev()
            .find_map(|l| l.strip_prefix(key).and_then(|n| n.trim().parse().ok()))
            .unwrap_or(0)
    };
    (find("# pass "), find("# fail "))
}

fn number_before(line: &str, word: &str) -> u64 {
    line.find(word)
        .and_then(|i| line[..i].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_results() {
        let out = "test result: ok. 5 passed; 0 failed; 1 ignored\nnoise\ntest result: FAILED. 3 passed; 2 failed; 0 ignored\n";
        assert_eq!(cargo_counts(out), (8, 2));
    }

    #[test]
    fn counts_vitest_results() {
        assert_eq!(
            vitest_counts("      Tests  1 failed | 14 passed (15)\n"),
            (14, 1)
        );
        assert_eq!(
            vitest_counts("\u{1b}[2m      Tests \u{1b}[22m 15 passed (15)\n"),
            (15, 0)
        );
    }

    #[test]
    fn counts_tap_results() {
        assert_eq!(
            tap_counts("ok 1 - a\n# tests 3\n# pass 2\n# fail 1\n"),
            (2, 1)
        );
    }
}
