//! Red envelopes: the split rule both the server and anyone checking it apply.
//!
//! The split is fixed when the envelope is sent, from a random 32-byte seed. The envelope
//! publishes BLAKE3(seed) at once and the seed itself once it is finished (every share grabbed,
//! or the rest returned), so anyone can recompute the split and see that nobody picked the
//! amounts. Lucky shares follow WeChat's rule: each is between ¥0.01 and twice the average of what
//! is left, the last takes the rest.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

/// At most ¥200 in one envelope.
pub const MAX_ENVELOPE_FEN: i64 = 20_000;
/// At most 100 shares.
pub const MAX_SHARES: u32 = 100;

/// How an envelope's amount is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeKind {
    /// Equal shares.
    Normal,
    /// Random shares.
    Lucky,
}

/// `POST /api/v1/wallet/envelopes`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendEnvelope {
    /// The sender's key for this send: a retry with the same key gets the first answer.
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    /// The chat it goes to.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// Lucky draw or equal shares.
    pub kind: EnvelopeKind,
    /// The whole envelope (for a normal one: shares × the amount each gets).
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 20000)]
    pub amount_fen: i64,
    /// How many can grab it.
    #[schema(minimum = 1, maximum = 100)]
    pub shares: u32,
    /// The sender's wishes.
    #[serde(default)]
    #[schema(max_length = 30)]
    pub note: String,
    /// The sender's payment PIN.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

/// Where an envelope is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeState {
    /// Shares left to grab.
    Open,
    /// Every share was grabbed.
    Finished,
    /// Not all grabbed within the time: the rest went back to the sender.
    Returned,
}

/// One share grabbed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Grab {
    /// Who grabbed it.
    #[ts(type = "string")]
    pub user_id: Uuid,
    /// How much they got, in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub at: i64,
}

/// An envelope's details page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Envelope {
    /// The envelope's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The chat it was sent in.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// Who sent it.
    #[ts(type = "string")]
    pub sender_id: Uuid,
    /// Lucky draw or equal shares.
    pub kind: EnvelopeKind,
    /// The whole amount, in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// How many shares.
    pub shares: u32,
    /// The sender's wishes.
    pub note: String,
    /// Open, finished or returned.
    pub state: EnvelopeState,
    /// Grabs in order.
    pub grabs: Vec<Grab>,
    /// BLAKE3 of the seed, hex: published when the envelope is sent.
    pub commitment: String,
    /// The seed, hex: revealed once finished or returned.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Who got the most, once finished.
    #[ts(type = "string | null")]
    pub best_luck: Option<Uuid>,
    /// When the rest goes back to the sender (Unix ms).
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// A seed as the envelope shows it once revealed: 64 hex digits.
pub fn seed_hex(seed: &[u8; 32]) -> String {
    seed.iter().map(|b| format!("{b:02x}")).collect()
}

/// The seed back from its 64 hex digits.
pub fn parse_seed(hex: &str) -> Option<[u8; 32]> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    bytes?.try_into().ok()
}

/// The "verify" check anyone can run on a finished envelope: its revealed seed matches the
/// published hash and reproduces every share grabbed, in order. None while the seed is secret.
pub fn verify(e: &Envelope) -> Option<bool> {
    let seed = parse_seed(e.seed.as_deref()?)?;
    let grabbed: Vec<i64> = e.grabs.iter().map(|g| g.amount_fen).collect();
    let shares = split(&seed, e.kind, e.amount_fen, e.shares);
    Some(
        commitment(&seed) == e.commitment
            && shares.get(..grabbed.len()) == Some(grabbed.as_slice()),
    )
}

/// BLAKE3 of the seed, hex: the envelope's public commitment.
pub fn commitment(seed: &[u8; 32]) -> String {
    blake3::hash(seed).to_hex().to_string()
}

/// Whether `total` can be split into `shares` of this kind: every share at least 1 fen, a
/// normal envelope's shares equal.
pub fn splittable(kind: EnvelopeKind, total: i64, shares: u32) -> bool {
    let n = i64::from(shares);
    (1..=MAX_SHARES).contains(&shares)
        && (1..=MAX_ENVELOPE_FEN).contains(&total)
        && total >= n
        && (kind == EnvelopeKind::Lucky || total % n == 0)
}

/// The shares, in grab order. Call only when [`splittable`].
pub fn split(seed: &[u8; 32], kind: EnvelopeKind, total: i64, shares: u32) -> Vec<i64> {
    let n = i64::from(shares.max(1));
    if kind == EnvelopeKind::Normal {
        return vec![total / n; shares as usize];
    }
    // Draws from BLAKE3's extendable output keyed by the seed: the same seed, the same split.
    let mut stream = blake3::Hasher::new_keyed(seed)
        .update(b"xin red envelope split v1")
        .finalize_xof();
    let mut draw = || {
        let mut b = [0u8; 8];
        stream.fill(&mut b);
        u64::from_le_bytes(b)
    };
    let mut out = Vec::with_capacity(shares as usize);
    let mut rest = total;
    for left in (1..=n).rev() {
        if left == 1 {
            out.push(rest);
            break;
        }
        // At most twice the average of what is left, and leave 1 fen for each share after.
        let max = (rest * 2 / left).min(rest - (left - 1)).max(1);
        let share = 1 + i64::try_from(draw() % max as u64).unwrap_or(0);
        out.push(share);
        rest -= share;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lucky_shares_sum_to_the_amount_each_within_twice_the_remaining_average() {
        for i in 0..2_000u32 {
            let seed = *blake3::hash(&i.to_le_bytes()).as_bytes();
            let shares = 1 + i % MAX_SHARES;
            let total = i64::from(shares)
                + i64::from(i * 7919) % (MAX_ENVELOPE_FEN - i64::from(shares) + 1);
            assert!(splittable(EnvelopeKind::Lucky, total, shares));
            let split = split(&seed, EnvelopeKind::Lucky, total, shares);
            assert_eq!(split.len(), shares as usize);
            assert_eq!(split.iter().sum::<i64>(), total, "seed {i}");
            let mut rest = total;
            for (k, &s) in split.iter().enumerate() {
                let left = i64::from(shares) - k as i64;
                if left == 1 {
                    assert_eq!(s, rest, "the last share takes the rest");
                } else {
                    assert!(
                        (1..=rest * 2 / left).contains(&s),
                        "seed {i}: {s} of {rest} for {left}"
                    );
                }
                rest -= s;
            }
            assert_eq!(
                split,
                super::split(&seed, EnvelopeKind::Lucky, total, shares),
                "the same seed, the same split"
            );
        }
    }

    #[test]
    fn normal_shares_are_equal_and_limits_hold() {
        assert_eq!(
            split(&[7; 32], EnvelopeKind::Normal, 1_000, 4),
            vec![250; 4]
        );
        assert!(!splittable(EnvelopeKind::Normal, 1_000, 3), "not equal");
        assert!(!splittable(EnvelopeKind::Lucky, 20_001, 2), "over ¥200");
        assert!(
            !splittable(EnvelopeKind::Lucky, 1_000, 101),
            "over 100 shares"
        );
        assert!(!splittable(EnvelopeKind::Lucky, 5, 6), "under 1 fen each");
        assert!(!splittable(EnvelopeKind::Lucky, 100, 0));
    }

    #[test]
    fn verify_accepts_the_true_split_and_catches_a_changed_share_or_seed() {
        let seed = [42u8; 32];
        let shares = split(&seed, EnvelopeKind::Lucky, 1_000, 3);
        let mut e = Envelope {
            id: Uuid::nil(),
            conversation_id: Uuid::nil(),
            sender_id: Uuid::nil(),
            kind: EnvelopeKind::Lucky,
            amount_fen: 1_000,
            shares: 3,
            note: String::new(),
            state: EnvelopeState::Finished,
            grabs: shares
                .iter()
                .map(|&amount_fen| Grab {
                    user_id: Uuid::nil(),
                    amount_fen,
                    at: 0,
                })
                .collect(),
            commitment: commitment(&seed),
            seed: None,
            best_luck: None,
            expires_at: 0,
        };
        assert_eq!(
            verify(&e),
            None,
            "nothing to check while the seed is secret"
        );
        e.seed = Some(seed_hex(&seed));
        assert_eq!(parse_seed(&seed_hex(&seed)), Some(seed));
        assert_eq!(verify(&e), Some(true));
        e.grabs[0].amount_fen += 1;
        assert_eq!(verify(&e), Some(false), "a share that is not the seed's");
        e.grabs[0].amount_fen -= 1;
        e.seed = Some(seed_hex(&[7; 32]));
        assert_eq!(
            verify(&e),
            Some(false),
            "a seed that is not the committed one"
        );
    }
}
