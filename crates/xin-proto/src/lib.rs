//! Wire types shared by `xin-server`, `xin-core` and the web UI.
//!
//! Everything here is plain data: serde for the wire, `ts-rs` for the UI's TypeScript types and
//! `utoipa` for the OpenAPI document. The only logic here is rules both sides must apply the
//! same way (file names, red envelope splits, how a file is hashed in pieces).

#![warn(missing_docs)]

/// Accounts, profiles, sign-up and sessions.
pub mod account;
pub mod call;
/// Friends, friend requests and search.
pub mod contact;
/// Conversations, members and messages.
pub mod conversation;
/// Devices signed in to an account.
pub mod device;
pub mod envelope;
/// Stable error codes and the error body.
pub mod error;
/// The per-user event log.
pub mod event;
pub mod file_name;
/// QR and remembered-computer login.
pub mod login;
pub mod media_link;
pub mod mini_program;
pub mod moments;
pub mod official;
pub mod pieces;
pub mod public_address;
/// What the realtime socket sends.
pub mod realtime;
pub mod typescript;
pub mod upload;
pub mod wallet;

pub use account::*;
pub use call::*;
pub use contact::*;
pub use conversation::*;
pub use device::*;
pub use envelope::{Envelope, EnvelopeKind, EnvelopeState, Grab, SendEnvelope};
pub use error::*;
pub use event::*;
pub use login::*;
pub use mini_program::*;
pub use moments::*;
pub use official::*;
pub use pieces::PIECE;
pub use realtime::*;
pub use upload::*;
pub use wallet::*;

/// The version every Xin client reports about itself.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Prefix of every HTTP route.
pub const API_PREFIX: &str = "/api/v1";
