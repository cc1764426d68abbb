//! Random secrets (tokens, ticket ids), the hash they are stored as, and the keys derived from
//! the server's secret. Pure: the store and the HTTP layer both use them; they use neither.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use uuid::Uuid;
use xin_proto::media_link::MediaKey;

/// A fresh opaque secret: 256 random bits, base64url.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Ticket ids: 128 random bits, base64url (22 characters).
pub fn new_ticket_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored only as this hash. They are random, so a fast hash is enough.
pub fn hash_token(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// Derives each session's media key from the server's secret, so no key is stored and every
/// node derives the same one.
pub struct MediaKeys {
    root: [u8; 32],
}

impl MediaKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            root: blake3::derive_key("xin media links v1", secret),
        }
    }

    pub fn key_for(&self, session: Uuid) -> [u8; 32] {
        *blake3::keyed_hash(&self.root, session.as_bytes()).as_bytes()
    }

    pub fn media_key(&self, session: Uuid) -> MediaKey {
        MediaKey {
            session,
            key: blake3::Hash::from(self.key_for(session))
                .to_hex()
                .to_string(),
        }
    }
}
