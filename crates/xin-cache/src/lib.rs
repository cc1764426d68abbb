//! `xin-cache`: what the Xin client keeps on disk and shows from it, with no network, no async
//! runtime and no engine (after matrix-sdk-base). The engine in `xin-core` fills it from the
//! server; the UI reads its views. Cargo keeps the layers apart: nothing here can reach back
//! into the engine.
//!
//! - [`cache`]: the app-wide and per-account SQLite databases (WAL, numbered migrations).
//! - [`chat_cache`], [`moments_cache`], [`official_cache`], [`transfer_cache`]: what each
//!   feature stores, and how server events change it.
//! - [`views`], [`preview`], [`search`], [`language`]: what the UI is shown.

#![warn(missing_docs)]

#[macro_use]
extern crate rust_i18n;

// The client's Rust-side words (`locales/app.yml`); English is the key and the fallback.
i18n!("locales", fallback = "en");

pub mod cache;
pub mod cache_key;
pub mod changes;
pub mod chat_cache;
/// What can go wrong, in the engine and at the UI.
pub mod error;
pub mod json;
pub mod language;
pub mod migrations;
pub mod moments_cache;
pub mod official_cache;
pub mod preview;
pub mod search;
pub mod search_index;
/// Unix milliseconds, the time unit of the caches and the wire.
pub mod time;
pub mod transfer_cache;
pub mod views;

pub use error::{CoreError, CoreResult};
