//! Running commands and owning background processes (killed when dropped).

use std::{
    path::Path,
    process::{Child, Command, Stdio},
};

pub type Result<T> = std::result::Result<T, String>;

/// Runs a command to completion, inheriting stdio; fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}

/// Runs a command, echoing its output, and returns what it printed (stdout and stderr).
pub fn run_capture(cmd: &mut Command) -> Result<(bool, String)> {
    use std::io::{BufRead, BufReader};
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shown}: {e}"))?;
    let stderr = child.stderr.take();
    let err_thread = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(stderr) = stderr {
            for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                eprintln!("{line}");
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });
    let mut text = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            println!("{line}");
            text.push_str(&line);
            text.push('\n');
        }
    }
    let status = child.wait().map_err(|e| format!("{shown}: {e}"))?;
    text.push_str(&err_thread.join().unwrap_or_default());
    Ok((status.success(), text))
}

pub fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Lets Ctrl-C end the processes in the terminal's group (the desktop app) but not xtask, which
/// then returns from waiting on them and stops everything else it started as it unwinds: the
/// engines in process groups of their own never see the Ctrl-C.
pub fn outlive_ctrl_c() {
    if let Err(e) = ctrlc::set_handler(|| eprintln!("xtask: stopping…")) {
        eprintln!("xtask: Ctrl-C will not stop the background processes: {e}");
    }
}

/// A background process that is killed (with its process group) when dropped.
pub struct Background {
    pub name: String,
    child: Child,
    own_group: bool,
}

impl Background {
    /// In its own process group, so stopping it also stops whatever it started.
    pub fn spawn(name: &str, cmd: &mut Command) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
        Self::start(name, cmd, true)
    }

    /// In the terminal's process group, so Ctrl-C reaches it directly.
    pub fn spawn_foreground(name: &str, cmd: &mut Command) -> Result<Self> {
        Self::start(name, cmd, false)
    }

    fn start(name: &str, cmd: &mut Command, own_group: bool) -> Result<Self> {
        let child = cmd.spawn().map_err(|e| format!("start {name}: {e}"))?;
        Ok(Self {
            name: name.to_string(),
            child,
            own_group,
        })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether it has exited already.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits for the process to exit by itself.
    pub fn wait(&mut self) -> Result<std::process::ExitStatus> {
        self.child.wait().map_err(|e| format!("{}: {e}", self.name))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGTERM to the whole group, then give it a moment before SIGKILL.
        let pgid = if self.own_group {
            format!("-{}", self.child.id())
        } else {
            self.child.id().to_string()
        };
        let _ = Command::new("kill").args(["-TERM", "--", &pgid]).status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &pgid]).status();
        let _ = self.child.wait();
    }
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
}

pub fn npm(dir: &Path) -> Command {
    let mut c = Command::new("npm");
    c.current_dir(dir);
    c
}

/// Waits until something accepts TCP connections on `addr`.
pub fn wait_for_port(addr: &str, secs: u64) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!("nothing listens on {addr} after {secs} s"))
}

/// A free loopback port (free a moment ago; whoever asked binds it right after).
pub fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("find a free port: {e}"))
}
