//! `xin-core`: the Xin client engine. No Tauri, no UI: the desktop shell is a thin layer over
//! [`Engine`], and the same engine runs in integration tests against a real server.
//!
//! Data flow: the network feeds the local cache, the cache feeds the UI. Credentials live in the
//! [`vault`] (the OS keyring), never in the cache or any other file.

#[macro_use]
extern crate rust_i18n;

// The client's Rust-side words, shared with `xin-cache` (its `locales/app.yml`); English is the
// key and the fallback.
i18n!("../xin-cache/locales", fallback = "en");

pub mod api;
pub mod call_devices;
pub mod call_media;
pub mod call_pipeline;
pub mod call_view;
pub mod calls;
pub mod chats;
mod devices;
mod download;
pub mod engine;
pub mod events;
pub mod export;
pub mod files;
pub mod forward;
pub mod link_preview;
pub mod links;
mod local_search;
mod login;
pub mod media;
pub mod mini_programs;
mod moments;
pub mod notify;
mod official;
mod outbox;
mod progress;
pub mod qr;
mod realtime;
mod scheduler;
pub mod server_choice;
mod session;
mod sync;
mod transfer_worker;
mod tus;
pub mod typescript;
mod upload;
pub mod vault;
pub mod video;
mod wallet;
mod web_fetch;

// The cache layer lives in `xin-cache` (no network, no runtime, no engine); its modules keep
// their paths here.
pub use xin_cache::{
    cache, cache_key, chat_cache, error, language, moments_cache, official_cache, preview, search,
    time, transfer_cache, views,
};

pub use engine::{Engine, EngineConfig};
pub use error::{CoreError, CoreResult};
pub use events::{AppView, CoreEvent, LoginView};
