//! `xin-core`: the Xin client engine. No Tauri, no UI: the desktop shell is a thin layer over
//! [`Engine`], and the same engine runs in integration tests against a real server.
//!
//! Data flow: the network feeds the local cache, the cache feeds the UI. Credentials live in the
//! [`vault`] (the OS keyring), never in the cache or any other file.

#[macro_use]
extern crate rust_i18n;

// The desktop's Rust-side words (`locales/app.yml`); English is the key and the fallback.
i18n!("locales", fallback = "en");

pub mod api;
pub mod cache;
pub mod cache_key;
pub mod chat_cache;
pub mod chats;
mod download;
pub mod engine;
pub mod error;
pub mod events;
pub mod export;
pub mod files;
pub mod forward;
pub mod language;
pub mod link_preview;
mod login;
pub mod media;
pub mod mini_programs;
mod moments;
pub mod moments_cache;
pub mod notify;
mod official;
pub mod official_cache;
mod outbox;
pub mod preview;
mod progress;
pub mod qr;
mod realtime;
pub mod search;
mod session;
mod sync;
mod time;
pub mod transfer_cache;
mod transfer_worker;
mod tus;
pub mod typescript;
mod upload;
pub mod vault;
pub mod video;
pub mod views;
mod wallet;
mod web_fetch;

pub use engine::{Engine, EngineConfig};
pub use error::{CoreError, CoreResult};
pub use events::{AppView, CoreEvent, LoginView};
