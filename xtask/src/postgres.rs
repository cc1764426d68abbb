//! A PostgreSQL server of the project's own: a fresh cluster in a temporary directory, on a
//! free loopback port, stopped and removed when dropped. The tests run the server's suites on
//! it, and `cargo xtask cluster` keeps its truth there.

use std::{path::PathBuf, process::Command};

use crate::process::{free_port, run, Result};

pub struct Postgres {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`: the superuser's database, from which
    /// others are created.
    pub url: String,
    dir: PathBuf,
    bin: PathBuf,
}

/// The newest installed server's programs (Debian keeps them per major version).
fn bin_dir() -> Result<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL is not installed (apt-get install postgresql); cargo xtask setup installs it"
            .to_string()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    /// Creates and starts a cluster for the tests, named for `purpose`. It does not flush to
    /// disk: the tests prove behaviour, not disks, and make many databases a minute.
    pub fn for_tests(purpose: &str) -> Result<Self> {
        Self::start(
            purpose,
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        )
    }

    /// A cluster that keeps every commit as production does (flushed before it is
    /// acknowledged, like the embedded store's `synchronous=FULL`): for figures.
    pub fn durable(purpose: &str) -> Result<Self> {
        Self::start(purpose, "")
    }

    fn start(purpose: &str, settings: &str) -> Result<Self> {
        let bin = bin_dir()?;
        let dir =
            std::env::temp_dir().join(format!("xin-postgres-{purpose}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if is_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to its system user.
            run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let port = free_port()?;
        let pg = Self {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            bin,
        };
        pg.program("initdb")
            .args(["--username=postgres", "--auth=trust", "--encoding=UTF8"])
            .args([
                "--lc-collate=C",
                "--lc-ctype=C.UTF-8",
                "--no-instructions",
                "-D",
            ])
            .arg(pg.data())
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| e.to_string())
            .and_then(|s| s.success().then_some(()).ok_or("initdb failed".to_string()))?;
        let options = format!(
            "-p {port} -h 127.0.0.1 -k {} -c max_connections=400 -c shared_buffers=128MB {settings}",
            pg.dir.display()
        );
        run(pg
            .program("pg_ctl")
            .args(["-w", "-s", "-D"])
            .arg(pg.data())
            .arg("-l")
            .arg(pg.dir.join("server.log"))
            .args(["-o", &options, "start"]))?;
        println!("xtask: PostgreSQL for {purpose} on 127.0.0.1:{port}");
        Ok(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// One of the server's programs, as the cluster's owner.
    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The postmaster's process id (its backends are its children), for CPU figures.
    pub fn pid(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// The cluster's log, for when something went wrong.
    pub fn log(&self) -> PathBuf {
        self.dir.join("server.log")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .program("pg_ctl")
            .args(["-s", "-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
