//! The server process seen from outside: CPU time and resident memory from /proc.

use std::time::Instant;

/// Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

#[derive(Clone, Copy)]
pub struct Sample {
    cpu_ticks: u64,
    at: Instant,
}

pub struct Server {
    pid: Option<u32>,
}

impl Server {
    pub fn new(pid: Option<u32>) -> Self {
        Self { pid }
    }

    pub fn sample(&self) -> Option<Sample> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid?)).ok()?;
        // Fields after the command name (which may hold spaces): state is field 3.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some(Sample {
            cpu_ticks: utime + stime,
            at: Instant::now(),
        })
    }

    /// Cores the server kept busy between two samples (1.0 = one core).
    pub fn cores(a: Option<Sample>, b: Option<Sample>) -> Option<f64> {
        let (a, b) = (a?, b?);
        let secs = b.at.duration_since(a.at).as_secs_f64();
        Some((b.cpu_ticks.saturating_sub(a.cpu_ticks)) as f64 / TICKS / secs)
    }

    /// Resident memory in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}
