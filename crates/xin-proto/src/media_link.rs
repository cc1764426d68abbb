//! Signed links to files, for clients that load a file by its address (an `<img>`, a
//! `<video>`, a download link) and so cannot put the access token in a header.
//!
//! A link is `/api/v1/blobs/{hash}?link={session}.{expires}.{signature}`:
//! - `session`: whose key signed it, so the server can check that session is still signed in;
//! - `expires`: Unix seconds;
//! - `signature`: BLAKE3 keyed with the session's media key over `"{hash}.{expires}"`, in hex.
//!
//! A leaked link opens one file, for at most [`MAX_LIFETIME_SECS`], and never once its session
//! is signed out; the access token itself never appears in an address. The client signs its own
//! links with the key it got at sign-in, so showing a picture costs no round trip.
//!
//! The browser's realtime socket, which cannot carry a header either, opens the same way:
//! `/api/v1/realtime?link=…` signed over [`REALTIME`] in place of a hash, living at most
//! [`MAX_REALTIME_LIFETIME_SECS`] since it is used at once.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

/// A session's key for signing links. As secret as the refresh token; lives as long as the
/// session, and refreshing the session keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MediaKey {
    /// The session the key belongs to: the first part of every link it signs.
    #[ts(type = "string")]
    pub session: Uuid,
    /// 32 bytes, in hex.
    pub key: String,
}

/// How far ahead a link's expiry may lie. Clients ask for one to two hours (the end of the
/// next whole hour, so a link stays the same, and cacheable, for an hour); the rest is room for
/// a clock that runs a little wrong.
pub const MAX_LIFETIME_SECS: i64 = 3 * 3600;

/// What a link to the realtime socket is signed over, where a file's link has its hash (never
/// a hash: those are 64 hex digits).
pub const REALTIME: &str = "realtime";

/// How far ahead a realtime link's expiry may lie: it opens a socket now, or not at all.
pub const MAX_REALTIME_LIFETIME_SECS: i64 = 120;

/// The signature of a link to `hash` that expires at `expires`.
pub fn signature(key: &[u8; 32], hash: &str, expires: i64) -> blake3::Hash {
    blake3::keyed_hash(key, format!("{hash}.{expires}").as_bytes())
}

/// The `link` query parameter, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLink {
    /// The session whose key signed it.
    pub session: Uuid,
    /// When it stops working (Unix ms).
    pub expires: i64,
    /// BLAKE3 keyed hash of the session, the resource and `expires`.
    pub signature: blake3::Hash,
}

impl MediaLink {
    /// Signs `hash` (a file's hash, or `REALTIME`) for `session` until `expires`.
    pub fn new(key: &[u8; 32], session: Uuid, hash: &str, expires: i64) -> Self {
        Self {
            session,
            expires,
            signature: signature(key, hash, expires),
        }
    }

    /// `None` for anything that is not `{uuid}.{integer}.{64 hex digits}`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let link = Self {
            session: Uuid::try_parse(parts.next()?).ok()?,
            expires: parts.next()?.parse().ok()?,
            signature: blake3::Hash::from_hex(parts.next()?).ok()?,
        };
        parts.next().is_none().then_some(link)
    }

    /// Whether `key` signed this link for `hash`. (`blake3::Hash` compares in constant time.)
    pub fn is_signed_for(&self, key: &[u8; 32], hash: &str) -> bool {
        signature(key, hash, self.expires) == self.signature
    }
}

impl std::fmt::Display for MediaLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.session,
            self.expires,
            self.signature.to_hex()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

    /// The phone signs with `@noble/hashes` (`ui/src/mobile/mediaLink.test.ts` checks the same
    /// vector), so both sides must agree on these exact bytes.
    #[test]
    fn the_signature_is_keyed_blake3_over_hash_and_expiry() {
        assert_eq!(
            signature(&[7u8; 32], HASH, 1_790_000_000).to_hex().as_str(),
            VECTOR
        );
    }

    const VECTOR: &str = "28832b5ffe30af2bdca3b38a85eedbe7b38b9ab955a90668bb2847925c955583";

    #[test]
    fn a_link_reads_back_and_refuses_anything_else() {
        let key = [1u8; 32];
        let session = Uuid::now_v7();
        let link = MediaLink::new(&key, session, HASH, 1_790_000_000);
        let parsed = MediaLink::parse(&link.to_string());
        assert_eq!(parsed.as_ref(), Some(&link));
        assert!(link.is_signed_for(&key, HASH));
        assert!(!link.is_signed_for(&[2u8; 32], HASH), "another key");
        assert!(
            !link.is_signed_for(&key, &HASH.replace('a', "b")),
            "another file"
        );
        let later = MediaLink {
            expires: link.expires + 1,
            ..link.clone()
        };
        assert!(!later.is_signed_for(&key, HASH), "a stretched expiry");
        for bad in [
            "",
            "x.1.00",
            &format!("{session}.soon.{}", link.signature.to_hex()),
            &format!("{session}.1.{}", &link.signature.to_hex()[..60]),
            &format!("{link}.extra"),
        ] {
            assert_eq!(MediaLink::parse(bad), None, "{bad:?}");
        }
    }
}
