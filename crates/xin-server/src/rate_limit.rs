//! Per-key rate limits (per IP address, per account) with clear errors.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use xin_proto::ErrorCode;

use crate::error::{ApiError, ApiResult};

pub struct Limits {
    tickets: DefaultKeyedRateLimiter<String>,
    attempts: DefaultKeyedRateLimiter<String>,
    collects: DefaultKeyedRateLimiter<String>,
    requests: DefaultKeyedRateLimiter<String>,
    lookups: DefaultKeyedRateLimiter<String>,
    signups: DefaultKeyedRateLimiter<String>,
    official_messages: DefaultKeyedRateLimiter<String>,
    /// The same per address, ten times as many: an office behind one address is many people.
    official_messages_by_address: DefaultKeyedRateLimiter<String>,
}

/// Charges of payment codes one merchant may make a minute: far more than a till serves, far
/// too few to find a live code among 10^16 by guessing.
const COLLECTS_PER_MINUTE: u32 = 600;
/// `xin.request()` calls the server makes for one user a minute: a mini-program that polls
/// every second stays well inside; one used to hammer a third party through Xin does not.
const REQUESTS_PER_MINUTE: u32 = 120;

fn per_minute(n: u32) -> DefaultKeyedRateLimiter<String> {
    RateLimiter::keyed(Quota::per_minute(
        NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN),
    ))
}

fn per_hour(n: u32) -> DefaultKeyedRateLimiter<String> {
    RateLimiter::keyed(Quota::per_hour(
        NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN),
    ))
}

impl Limits {
    pub fn new(config: &crate::config::Config) -> Self {
        Self {
            tickets: per_minute(config.tickets_per_minute),
            attempts: per_minute(config.attempts_per_minute),
            collects: per_minute(COLLECTS_PER_MINUTE),
            requests: per_minute(REQUESTS_PER_MINUTE),
            lookups: per_hour(config.lookups_per_hour),
            signups: per_hour(config.signups_per_hour),
            official_messages: per_minute(config.official_messages_per_minute),
            official_messages_by_address: per_minute(
                config.official_messages_per_minute.saturating_mul(10),
            ),
        }
    }

    /// Looking people up by handle or phone number, per account and per IP address: enough to
    /// add friends, far too few to walk the phone-number space.
    pub fn lookup(&self, user: &str, ip: &str) -> ApiResult<()> {
        check(&self.lookups, format!("user:{user}"), "searches for people")?;
        check(&self.lookups, format!("ip:{ip}"), "searches for people")
    }

    /// New accounts, per IP address: sign-up tells whether a phone number is taken, so it is
    /// bounded like a lookup.
    pub fn signup(&self, ip: &str) -> ApiResult<()> {
        check(&self.signups, format!("ip:{ip}"), "new accounts")
    }

    /// Messages and menu taps to official accounts (each may become a webhook delivery), per
    /// account, and ten times as many per address.
    pub fn official_message(&self, user: &str, ip: &str) -> ApiResult<()> {
        let what = "messages to official accounts";
        check(&self.official_messages, format!("user:{user}"), what)?;
        check(&self.official_messages_by_address, format!("ip:{ip}"), what)
    }

    /// Creating login QR codes, per IP address.
    pub fn ticket(&self, ip: &str) -> ApiResult<()> {
        check(&self.tickets, format!("ip:{ip}"), "login QR codes")
    }

    /// Charging payment codes, per merchant account.
    pub fn collect(&self, merchant: &str) -> ApiResult<()> {
        check(
            &self.collects,
            format!("user:{merchant}"),
            "payment code charges",
        )
    }

    /// Requests a mini-program has the server make, per user.
    pub fn mini_program_request(&self, user: &str) -> ApiResult<()> {
        check(
            &self.requests,
            format!("user:{user}"),
            "mini-program requests",
        )
    }

    /// Scans, confirmations and password attempts, per key (`ip:..`, `user:..`, `login:..`).
    pub fn attempt(&self, key: String) -> ApiResult<()> {
        check(&self.attempts, key, "attempts")
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: String, what: &str) -> ApiResult<()> {
    limiter.check_key(&key).map_err(|_| too_many(what))
}

/// The answer to one request too many.
pub fn too_many(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        format!("Too many {what} in a short time. Wait a minute and try again."),
    )
}
