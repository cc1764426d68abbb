//! Official accounts' pieces that are not storage or routes.

pub mod sanitize;
pub mod webhook;
