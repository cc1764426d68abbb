//! Progress of a running transfer: the bytes done and a smoothed speed, reported a few times a
//! second rather than on every chunk.

use std::time::{Duration, Instant};

use crate::transfer_cache::Transfer;

const EVERY: Duration = Duration::from_millis(250);

pub struct Progress {
    pub transfer: Transfer,
    last: Instant,
    last_done: u64,
    reported: Option<Instant>,
}

impl Progress {
    pub fn new(transfer: Transfer) -> Self {
        Self {
            last_done: transfer.done,
            transfer,
            last: Instant::now(),
            reported: None,
        }
    }

    /// Records `done` bytes; answers the transfer to report when it is time to.
    pub fn advance(&mut self, done: u64) -> Option<Transfer> {
        self.transfer.done = done;
        let now = Instant::now();
        let elapsed = now.duration_since(self.last);
        if elapsed >= EVERY {
            let rate = done.saturating_sub(self.last_done) as f64 / elapsed.as_secs_f64();
            // Exponential smoothing, so "time left" does not jump about.
            let speed = if self.transfer.speed == 0 {
                rate
            } else {
                0.7 * self.transfer.speed as f64 + 0.3 * rate
            };
            self.transfer.speed = speed as u64;
            self.last = now;
            self.last_done = done;
        }
        let due = self.reported.is_none_or(|r| now.duration_since(r) >= EVERY);
        due.then(|| {
            self.reported = Some(now);
            self.transfer.clone()
        })
    }
}
