//! The payment PIN: six digits, stored as argon2id. Wrong PINs slow the next try down step by
//! step instead of locking the wallet, so someone guessing cannot lock the owner out for good:
//! two free mistakes, then 5 s, 20 s, 80 s, … up to an hour between tries.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use uuid::Uuid;
use xin_proto::ErrorCode;

use crate::{
    auth,
    error::{ApiError, ApiResult},
    state::AppState,
    store::{PinClaim, PinRecord},
    time::now_ms,
};

const FREE_MISTAKES: i64 = 2;
const MAX_DELAY_MS: i64 = 3_600_000;

/// How long after `failures` wrong PINs in a row the next try must wait.
pub fn delay_ms(failures: i64) -> i64 {
    if failures <= FREE_MISTAKES {
        return 0;
    }
    let steps = u32::try_from(failures - FREE_MISTAKES - 1)
        .unwrap_or(u32::MAX)
        .min(10);
    (5_000_i64 * 4_i64.pow(steps)).min(MAX_DELAY_MS)
}

pub fn check_format(pin: &str) -> ApiResult<()> {
    if pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::invalid("pin: exactly 6 digits"))
    }
}

fn wait_text(ms: i64) -> String {
    let s = (ms + 999) / 1000;
    if s < 120 {
        format!("{s} seconds")
    } else {
        format!("{} minutes", (s + 59) / 60)
    }
}

/// PINs this server process has already verified with argon2, kept as a keyed BLAKE3 of
/// (user, stored hash, PIN) under a key that never leaves memory. A payment with the right PIN
/// then costs a hash, not an argon2 run (tens of milliseconds and 19 MiB), which is what lets
/// the wallet take thousands of payments a second. A wrong PIN never matches, so it still goes
/// through argon2 and the escalating delay; a changed PIN changes the stored hash, so the old
/// entry stops matching at once.
pub struct VerifiedPins {
    key: [u8; 32],
    known: Mutex<HashMap<Uuid, blake3::Hash>>,
    /// One argon2 check per user at a time in this process: several payments made at once
    /// with a PIN not yet known then cost one check, and the others find it known.
    turns: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for VerifiedPins {
    fn default() -> Self {
        Self {
            key: rand::random(),
            known: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
        }
    }
}

impl VerifiedPins {
    fn digest(&self, user: Uuid, hash: &str, pin: &str) -> blake3::Hash {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(user.as_bytes());
        h.update(&(hash.len() as u64).to_le_bytes());
        h.update(hash.as_bytes());
        h.update(pin.as_bytes());
        h.finalize()
    }

    /// blake3::Hash compares in constant time.
    pub fn knows(&self, user: Uuid, hash: &str, pin: &str) -> bool {
        let digest = self.digest(user, hash, pin);
        self.known
            .lock()
            .map(|k| k.get(&user) == Some(&digest))
            .unwrap_or(false)
    }

    fn turn(&self, user: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        // Forget the users no one is checking for, so the map stays as small as the traffic.
        turns.retain(|_, t| Arc::strong_count(t) > 1);
        turns.entry(user).or_default().clone()
    }

    fn learn(&self, user: Uuid, hash: &str, pin: &str) {
        let digest = self.digest(user, hash, pin);
        if let Ok(mut k) = self.known.lock() {
            k.insert(user, digest);
        }
    }
}

fn not_set() -> ApiError {
    ApiError::new(ErrorCode::PinNotSet, "Set a payment PIN in Wallet first.")
}

fn locked(wait_ms: i64) -> ApiError {
    ApiError::new(
        ErrorCode::PinLocked,
        format!("Too many wrong PINs. Try again in {}.", wait_text(wait_ms)),
    )
}

/// Checks `pin` against the user's; every money movement out of a wallet, and changing the PIN,
/// calls this first.
///
/// A PIN not already known to be right is checked only after a try has been claimed in the
/// store ([`crate::store::Store::pin_claim`]), one atomic step that both honours the delay and
/// counts the try. Parallel guesses therefore get no more checks than guesses one after another.
pub async fn verify(state: &AppState, user: Uuid, pin: &str) -> ApiResult<()> {
    let Some(record) = state.store.pin(user).await? else {
        return Err(not_set());
    };
    let wait = record.next_try_at - now_ms();
    if wait > 0 {
        // Even the right PIN waits: otherwise a guess could be tested against the cache below.
        return Err(locked(wait));
    }
    let known =
        |record: &PinRecord| check_format(pin).is_ok() && state.pins.knows(user, &record.hash, pin);
    if known(&record) {
        if record.failures > 0 {
            state.store.pin_cleared(user).await?;
        }
        return Ok(());
    }
    let turn = state.pins.turn(user);
    let _turn = turn.lock().await;
    if known(&record) {
        // Another of this user's requests just checked this PIN.
        return Ok(());
    }
    let failures = match state.store.pin_claim(user, delay_ms).await? {
        PinClaim::NotSet => return Err(not_set()),
        PinClaim::Locked { wait_ms } => return Err(locked(wait_ms)),
        PinClaim::Claimed { failures } => failures,
    };
    let right = check_format(pin).is_ok()
        && auth::verify_password(pin.to_string(), record.hash.clone()).await?;
    if right {
        state.pins.learn(user, &record.hash, pin);
        state.store.pin_cleared(user).await?;
        return Ok(());
    }
    let next = delay_ms(failures);
    Err(ApiError::new(
        ErrorCode::WrongPin,
        if next > 0 {
            format!("Wrong PIN. Try again in {}.", wait_text(next))
        } else {
            "Wrong PIN.".to_string()
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::delay_ms;

    #[test]
    fn each_wrong_pin_after_two_waits_longer_up_to_an_hour() {
        let delays: Vec<i64> = (0..=10).map(delay_ms).collect();
        assert_eq!(&delays[..6], &[0, 0, 0, 5_000, 20_000, 80_000]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(delay_ms(50), 3_600_000);
    }
}
