//! How many upload requests may be receiving bytes at once: per user and in all. Each one
//! holds blocking threads (writing, hashing) for as long as its body trickles in, so without a
//! bound a few hundred slow requests would take every blocking thread the server has.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use uuid::Uuid;
use xin_proto::ErrorCode;

use crate::error::{ApiError, ApiResult};

pub struct ReceivingBounds {
    per_user: usize,
    in_all: usize,
    counts: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    in_all: usize,
    by_user: HashMap<Uuid, usize>,
}

/// One request's place; given back when it is dropped, however the request ends.
pub struct Receiving {
    user: Uuid,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for Receiving {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.in_all = c.in_all.saturating_sub(1);
        if let Some(n) = c.by_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                c.by_user.remove(&self.user);
            }
        }
    }
}

impl ReceivingBounds {
    pub fn new(per_user: usize, in_all: usize) -> Self {
        Self {
            per_user: per_user.max(1),
            in_all: in_all.max(1),
            counts: Arc::default(),
        }
    }

    /// Requests receiving bytes right now.
    pub fn in_all(&self) -> usize {
        self.counts.lock().map_or(0, |c| c.in_all)
    }

    /// A place for one of `user`'s requests, or a refusal at once (the client tries again
    /// later from its verified offset; nothing is lost).
    pub fn enter(&self, user: Uuid) -> ApiResult<Receiving> {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = c.by_user.get(&user).copied().unwrap_or(0);
        if mine >= self.per_user {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "You are sending {mine} files at once, the most the server takes from one account; the next starts when one finishes."
                ),
            ));
        }
        if c.in_all >= self.in_all {
            return Err(ApiError::new(
                ErrorCode::ServerBusy,
                "The server is receiving as many files as it can; try again in a moment.",
            ));
        }
        c.in_all += 1;
        *c.by_user.entry(user).or_insert(0) += 1;
        Ok(Receiving {
            user,
            counts: self.counts.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_bounded_per_user_and_in_all_and_come_back_when_dropped() {
        let bounds = ReceivingBounds::new(2, 3);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let a1 = bounds.enter(a);
        let a2 = bounds.enter(a);
        assert!(a1.is_ok() && a2.is_ok());
        assert!(bounds.enter(a).is_err(), "a third of a's");
        let b1 = bounds.enter(b);
        assert!(b1.is_ok());
        assert!(bounds.enter(b).is_err(), "the fourth in all");
        drop(a1);
        assert!(bounds.enter(b).is_ok(), "a's place came back");
    }
}
