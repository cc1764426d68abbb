//! The server's processes seen from outside: CPU time and resident memory from /proc. The
//! server nodes are summed; other watched processes (PostgreSQL with its backends, nats-server)
//! are reported one by one, so the cost of each part of a scale-out is visible per message.

use std::time::Instant;

/// Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

#[derive(Clone)]
pub struct Sample {
    nodes: u64,
    watched: Vec<u64>,
    at: Instant,
}

pub struct Server {
    nodes: Vec<u32>,
    /// A name and the process at the root of what it runs (its children count too).
    watched: Vec<(String, u32)>,
}

/// utime, stime, and the times of children already waited for (a backend that ended).
fn own_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): state is field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(field(11)? + field(12)? + field(13)? + field(14)?)
}

/// The process and everything under it.
fn tree_ticks(pid: u32) -> u64 {
    let children: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|c| {
            c.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect();
    own_ticks(pid).unwrap_or(0) + children.into_iter().map(tree_ticks).sum::<u64>()
}

impl Server {
    pub fn new(nodes: Vec<u32>, watched: &[String]) -> Result<Self, String> {
        let watched = watched
            .iter()
            .map(|w| {
                let (name, pid) = w
                    .split_once('=')
                    .ok_or_else(|| format!("--watch {w}: NAME=PID"))?;
                let pid = pid.parse().map_err(|_| format!("--watch {w}: NAME=PID"))?;
                Ok((name.to_string(), pid))
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { nodes, watched })
    }

    pub fn names(&self) -> Vec<String> {
        self.watched.iter().map(|(n, _)| n.clone()).collect()
    }

    pub fn sample(&self) -> Option<Sample> {
        if self.nodes.is_empty() {
            return None;
        }
        let nodes = self
            .nodes
            .iter()
            .map(|p| own_ticks(*p))
            .sum::<Option<u64>>()?;
        Some(Sample {
            nodes,
            watched: self.watched.iter().map(|(_, p)| tree_ticks(*p)).collect(),
            at: Instant::now(),
        })
    }

    /// Cores the server nodes kept busy between two samples (1.0 = one core).
    pub fn cores(a: &Option<Sample>, b: &Option<Sample>) -> Option<f64> {
        let (a, b) = (a.as_ref()?, b.as_ref()?);
        let secs = b.at.duration_since(a.at).as_secs_f64();
        Some(b.nodes.saturating_sub(a.nodes) as f64 / TICKS / secs)
    }

    /// Cores each watched process (with its children) kept busy between two samples.
    pub fn watched_cores(a: &Option<Sample>, b: &Option<Sample>) -> Vec<f64> {
        let (Some(a), Some(b)) = (a, b) else {
            return Vec::new();
        };
        let secs = b.at.duration_since(a.at).as_secs_f64();
        a.watched
            .iter()
            .zip(&b.watched)
            .map(|(x, y)| y.saturating_sub(*x) as f64 / TICKS / secs)
            .collect()
    }

    /// Resident memory of the server nodes in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        if self.nodes.is_empty() {
            return None;
        }
        self.nodes
            .iter()
            .map(|pid| {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
                status
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))?
                    .split_whitespace()
                    .nth(1)?
                    .parse::<u64>()
                    .ok()
            })
            .sum()
    }
}
