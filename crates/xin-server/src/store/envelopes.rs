//! Red envelopes: sent into escrow with a split fixed from a committed seed, grabbed once per
//! member, the rest returned when their time is up.

use rand::RngCore;
use serde::Serialize;
use uuid::Uuid;
use xin_proto::{
    envelope, BillKind, Content, Envelope, EnvelopeKind, EnvelopeState, ErrorCode, EventBody, Grab,
};

use super::{
    ledger::{self, Entry, Idempotent, Posting, ENVELOPE_ESCROW},
    messages::{self, NewMessage},
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::money as rules,
    time::now_ms,
};

/// An envelope to send.
pub struct NewEnvelope {
    pub user: Uuid,
    pub device: Uuid,
    pub key: String,
    pub conv: Uuid,
    pub kind: EnvelopeKind,
    pub amount_fen: i64,
    pub shares: u32,
    pub note: String,
    pub ttl_ms: i64,
}

#[derive(Serialize)]
struct Fingerprint<'a> {
    conv: Uuid,
    kind: EnvelopeKind,
    amount_fen: i64,
    shares: u32,
    note: &'a str,
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::EnvelopeNotFound, "No such red envelope.")
}

fn kind_str(k: EnvelopeKind) -> &'static str {
    match k {
        EnvelopeKind::Normal => "normal",
        EnvelopeKind::Lucky => "lucky",
    }
}

/// An envelope's row: what it is, and its secret seed.
struct Row {
    e: Envelope,
    seed: [u8; 32],
}

fn row(c: &Conn, id: Uuid) -> ApiResult<Option<Row>> {
    let r = sql::one(
        c,
        "SELECT conversation_id, sender_id, kind, amount, shares, note, seed, commitment, state, expires_at
         FROM red_envelopes WHERE id = $1",
        &[&id.to_string()],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
            ))
        },
    )?;
    let Some((conv, sender, kind, amount, shares, note, seed, commitment, state, expires)) = r
    else {
        return Ok(None);
    };
    let seed = envelope::parse_seed(&seed)
        .ok_or_else(|| ApiError::Internal("a stored envelope seed is not 32 bytes".into()))?;
    let grabs = sql::all(
        c,
        "SELECT user_id, amount, created_at FROM red_envelope_grabs
         WHERE envelope_id = $1 ORDER BY share_index",
        &[&id.to_string()],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )?
    .into_iter()
    .map(|(u, amount_fen, at)| {
        Ok(Grab {
            user_id: super::parse_uuid(&u)?,
            amount_fen,
            at,
        })
    })
    .collect::<ApiResult<Vec<_>>>()?;
    let state = match state.as_str() {
        "open" => EnvelopeState::Open,
        "finished" => EnvelopeState::Finished,
        _ => EnvelopeState::Returned,
    };
    let settled = state != EnvelopeState::Open;
    let best_luck = (state == EnvelopeState::Finished && shares > 1)
        .then(|| grabs.iter().max_by_key(|g| g.amount_fen).map(|g| g.user_id))
        .flatten();
    Ok(Some(Row {
        e: Envelope {
            id,
            conversation_id: super::parse_uuid(&conv)?,
            sender_id: super::parse_uuid(&sender)?,
            kind: if kind == "lucky" {
                EnvelopeKind::Lucky
            } else {
                EnvelopeKind::Normal
            },
            amount_fen: amount,
            shares,
            note,
            state,
            grabs,
            commitment,
            // The seed only once nothing more can be grabbed: before, it would tell the split.
            seed: settled.then(|| envelope::seed_hex(&seed)),
            best_luck,
            expires_at: expires,
        },
        seed,
    }))
}

fn announce(cx: &mut WriteCx, e: &Envelope) -> ApiResult<()> {
    let members: Vec<Uuid> = cx
        .members
        .get(&cx.conn, e.conversation_id)?
        .members
        .keys()
        .copied()
        .collect();
    cx.out.append_all(
        &cx.conn,
        &members,
        EventBody::EnvelopeChanged {
            envelope_id: e.id,
            conversation_id: e.conversation_id,
        },
    )
}

fn wallet_changed(cx: &mut WriteCx, user: Uuid) -> ApiResult<()> {
    let balance = ledger::balance(&cx.conn, &ledger::wallet_account(user))?;
    cx.out.append(
        &cx.conn,
        user,
        EventBody::WalletChanged {
            balance_fen: balance,
        },
    )
}

/// Returns what is left of an open envelope to its sender and closes it.
/// Takes the envelope's row lock before reading it: grabs and returns of one envelope run one
/// after another, each seeing what the last one left.
fn return_rest(cx: &mut WriteCx, id: Uuid) -> ApiResult<bool> {
    sql::lock_row(&cx.conn, "red_envelopes", id)?;
    let Some(r) = row(&cx.conn, id)? else {
        return Ok(false);
    };
    if r.e.state != EnvelopeState::Open {
        return Ok(false);
    }
    let rest = r.e.amount_fen - r.e.grabs.iter().map(|g| g.amount_fen).sum::<i64>();
    let returned = sql::exec(
        &cx.conn,
        "UPDATE red_envelopes SET state = 'returned' WHERE id = $1 AND state = 'open'",
        &[&id.to_string()],
    )?;
    if returned == 0 {
        // Someone else returned or finished it since: its rest is not ours to pay again.
        return Ok(false);
    }
    if rest > 0 {
        ledger::post(
            &cx.conn,
            Entry {
                kind: "envelope_return",
                memo: "Red envelope not all grabbed in 24 hours: the rest returned",
                reference: Some(id),
            },
            &[
                Posting {
                    account: ENVELOPE_ESCROW.into(),
                    amount: -rest,
                    bill: BillKind::EnvelopeReturned,
                    counterparty: None,
                },
                Posting {
                    account: ledger::wallet_account(r.e.sender_id),
                    amount: rest,
                    bill: BillKind::EnvelopeReturned,
                    counterparty: None,
                },
            ],
        )?;
        wallet_changed(cx, r.e.sender_id)?;
    }
    announce(cx, &r.e)?;
    Ok(true)
}

impl Store {
    pub async fn send_envelope(&self, n: NewEnvelope) -> ApiResult<Envelope> {
        self.write(move |cx| {
            let fp = Fingerprint {
                conv: n.conv,
                kind: n.kind,
                amount_fen: n.amount_fen,
                shares: n.shares,
                note: &n.note,
            };
            let idem = Idempotent::new(n.user, &n.key, &fp)?;
            if let Some(e) = idem.claim(&cx.conn)? {
                return Ok(e);
            }
            let v = cx.members.get(&cx.conn, n.conv)?;
            v.role_of(n.user)?;
            rules::envelope_destination(v.kind, v.direct, n.shares)?;
            let mut seed = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut seed);
            let id = Uuid::now_v7();
            let now = now_ms();
            sql::exec(
                &cx.conn,
                "INSERT INTO red_envelopes
                   (id, conversation_id, sender_id, kind, amount, shares, note, seed, commitment, state, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11)",
                &[
                    &id.to_string(),
                    &n.conv.to_string(),
                    &n.user.to_string(),
                    &kind_str(n.kind),
                    &n.amount_fen,
                    &n.shares,
                    &n.note,
                    &envelope::seed_hex(&seed),
                    &envelope::commitment(&seed),
                    &now,
                    &(now + n.ttl_ms),
                ],
            )?;
            ledger::open_wallet(&cx.conn, n.user)?;
            ledger::post(
                &cx.conn,
                Entry {
                    kind: "envelope_send",
                    memo: "Red envelope sent",
                    reference: Some(id),
                },
                &[
                    Posting {
                        account: ledger::wallet_account(n.user),
                        amount: -n.amount_fen,
                        bill: BillKind::EnvelopeSent,
                        counterparty: None,
                    },
                    Posting {
                        account: ENVELOPE_ESCROW.into(),
                        amount: n.amount_fen,
                        bill: BillKind::EnvelopeSent,
                        counterparty: None,
                    },
                ],
            )?;
            let device = n.device.to_string();
            let content = Content::RedEnvelope {
                envelope_id: id,
                kind: n.kind,
                note: n.note.clone(),
            };
            messages::post(
                cx,
                NewMessage {
                    conv: n.conv,
                    sender: n.user,
                    device: &device,
                    client_id: id,
                    content: &content,
                    reply_to: None,
                },
            )?;
            wallet_changed(cx, n.user)?;
            let e = row(&cx.conn, id)?.ok_or_else(not_found)?.e;
            idem.remember(&cx.conn, &e)?;
            Ok(e)
        })
        .await
    }

    /// Takes the next share for `user`, a member of the envelope's chat.
    pub async fn grab_envelope(&self, user: Uuid, id: Uuid) -> ApiResult<Envelope> {
        self.write(move |cx| {
            sql::lock_row(&cx.conn, "red_envelopes", id)?;
            let r = row(&cx.conn, id)?.ok_or_else(not_found)?;
            let v = cx.members.get(&cx.conn, r.e.conversation_id)?;
            if !v.members.contains_key(&user) {
                return Err(not_found());
            }
            rules::may_grab(&rules::Grab {
                kind: v.kind,
                by_sender: r.e.sender_id == user,
                already_grabbed: r.e.grabs.iter().any(|g| g.user_id == user),
                open: r.e.state == EnvelopeState::Open && now_ms() < r.e.expires_at,
            })?;
            let index = r.e.grabs.len();
            let split = envelope::split(&r.seed, r.e.kind, r.e.amount_fen, r.e.shares);
            let amount = *split.get(index).ok_or_else(rules::envelope_empty)?;
            sql::exec(
                &cx.conn,
                "INSERT INTO red_envelope_grabs (envelope_id, user_id, share_index, amount, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&id.to_string(), &user.to_string(), &(index as i64), &amount, &now_ms()],
            )?;
            ledger::open_wallet(&cx.conn, user)?;
            ledger::post(
                &cx.conn,
                Entry {
                    kind: "envelope_grab",
                    memo: "Red envelope",
                    reference: Some(id),
                },
                &[
                    Posting {
                        account: ENVELOPE_ESCROW.into(),
                        amount: -amount,
                        bill: BillKind::EnvelopeGrabbed,
                        counterparty: None,
                    },
                    Posting {
                        account: ledger::wallet_account(user),
                        amount,
                        bill: BillKind::EnvelopeGrabbed,
                        counterparty: Some(r.e.sender_id),
                    },
                ],
            )?;
            if index + 1 == r.e.shares as usize {
                sql::exec(
                    &cx.conn,
                    "UPDATE red_envelopes SET state = 'finished' WHERE id = $1",
                    &[&id.to_string()],
                )?;
            }
            wallet_changed(cx, user)?;
            let e = row(&cx.conn, id)?.ok_or_else(not_found)?.e;
            announce(cx, &e)?;
            Ok(e)
        })
        .await
    }

    /// An envelope's details, for members of its chat.
    pub async fn envelope(&self, user: Uuid, id: Uuid) -> ApiResult<Envelope> {
        self.reads
            .run(move |c| {
                let e = row(c, id)?.ok_or_else(not_found)?.e;
                let member = sql::one(
                    c,
                    "SELECT 1 FROM members WHERE conversation_id = $1 AND user_id = $2 AND active = 1",
                    &[&e.conversation_id.to_string(), &user.to_string()],
                    |_| Ok(()),
                )?;
                member.map(|_| e).ok_or_else(not_found)
            })
            .await
    }

    /// Returns the rest of every envelope whose time is up. Answers how many.
    pub async fn return_expired_envelopes(&self, now: i64) -> ApiResult<usize> {
        self.write(move |cx| {
            ledger::settle_due(
                cx,
                "SELECT id FROM red_envelopes WHERE state = 'open' AND expires_at <= $1 LIMIT 500",
                now,
                return_rest,
            )
        })
        .await
    }
}
