//! Money transfers between friends: sent into escrow with a card in the direct chat, then
//! accepted, declined, or returned after 24 hours. The decisions are `rules::money`.

//! Wallet reads and writes: cards, the PIN's record, bank movements, bills and transfers. Every
//! money write is one store write: the ledger transaction, the state it changes, the chat card
//! and the events commit together, durably, before the caller is answered.

use serde::Serialize;
use uuid::Uuid;
use xin_proto::{BillKind, Content, ErrorCode, EventBody, MoneyTransfer, MoneyTransferState};

use super::{
    ledger::{self, Entry, Idempotent, Posting, TRANSFER_ESCROW},
    messages::{self, NewMessage},
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::money::{self as rules},
    time::now_ms,
};

/// A transfer to send: who, from which device, into which direct chat, how much.
pub struct NewTransfer {
    pub user: Uuid,
    pub device: Uuid,
    pub key: String,
    pub conv: Uuid,
    pub amount_fen: i64,
    pub note: String,
    /// How long the recipient has to accept.
    pub ttl_ms: i64,
}

#[derive(Serialize)]
struct TransferRequest<'a> {
    conversation: Uuid,
    amount_fen: i64,
    note: &'a str,
}

pub(super) fn transfer_not_found() -> ApiError {
    ApiError::new(ErrorCode::TransferNotFound, "No such transfer.")
}

fn state_str(s: MoneyTransferState) -> &'static str {
    match s {
        MoneyTransferState::Pending => "pending",
        MoneyTransferState::Accepted => "accepted",
        MoneyTransferState::Declined => "declined",
        MoneyTransferState::Refunded => "refunded",
    }
}

fn parse_state(s: &str) -> MoneyTransferState {
    match s {
        "pending" => MoneyTransferState::Pending,
        "accepted" => MoneyTransferState::Accepted,
        "declined" => MoneyTransferState::Declined,
        _ => MoneyTransferState::Refunded,
    }
}

fn transfer_row(c: &Conn, id: Uuid) -> ApiResult<Option<MoneyTransfer>> {
    let row = sql::one(
        c,
        "SELECT conversation_id, sender_id, recipient_id, amount, note, state, created_at,
                expires_at, resolved_at
         FROM wallet_transfers WHERE id = $1",
        &[&id.to_string()],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<i64>>(8)?,
            ))
        },
    )?;
    let Some((conv, sender, recipient, amount, note, state, created, expires, resolved)) = row
    else {
        return Ok(None);
    };
    Ok(Some(MoneyTransfer {
        id,
        conversation_id: super::parse_uuid(&conv)?,
        sender_id: super::parse_uuid(&sender)?,
        recipient_id: super::parse_uuid(&recipient)?,
        amount_fen: amount,
        note,
        state: parse_state(&state),
        created_at: created,
        expires_at: expires,
        resolved_at: resolved,
    }))
}

/// Tells both sides' devices that a transfer and their balances changed.
fn announce(cx: &mut WriteCx, t: &MoneyTransfer) -> ApiResult<()> {
    for user in [t.sender_id, t.recipient_id] {
        let balance = ledger::balance(&cx.conn, &ledger::wallet_account(user))?;
        cx.out.append(
            &cx.conn,
            user,
            EventBody::WalletChanged {
                balance_fen: balance,
            },
        )?;
    }
    cx.out.append_all(
        &cx.conn,
        &[t.sender_id, t.recipient_id],
        EventBody::TransferChanged {
            transfer: t.clone(),
        },
    )
}

/// Moves a pending transfer's money out of escrow (to the recipient, or back to the sender) and
/// settles it. Answers None when it was not pending any more.
fn settle(cx: &mut WriteCx, id: Uuid, to: MoneyTransferState) -> ApiResult<Option<MoneyTransfer>> {
    let now = now_ms();
    let changed = sql::exec(
        &cx.conn,
        "UPDATE wallet_transfers SET state = $2, resolved_at = $3 WHERE id = $1 AND state = 'pending'",
        &[&id.to_string(), &state_str(to), &now],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let t = transfer_row(&cx.conn, id)?.ok_or_else(transfer_not_found)?;
    let (account, bill, counterparty, kind, memo) = match to {
        MoneyTransferState::Accepted => (
            ledger::wallet_account(t.recipient_id),
            BillKind::TransferIn,
            t.sender_id,
            "transfer_accept",
            "Transfer received",
        ),
        _ => (
            ledger::wallet_account(t.sender_id),
            BillKind::TransferRefund,
            t.recipient_id,
            "transfer_refund",
            if to == MoneyTransferState::Declined {
                "Transfer declined: returned"
            } else {
                "Transfer not accepted in 24 hours: returned"
            },
        ),
    };
    ledger::post(
        &cx.conn,
        Entry {
            kind,
            memo,
            reference: Some(id),
        },
        &[
            Posting {
                account: TRANSFER_ESCROW.into(),
                amount: -t.amount_fen,
                bill,
                counterparty: None,
            },
            Posting {
                account,
                amount: t.amount_fen,
                bill,
                counterparty: Some(counterparty),
            },
        ],
    )?;
    announce(cx, &t)?;
    Ok(Some(t))
}

impl Store {
    /// Sends money to the other person of a direct chat: out of my wallet into escrow, with a
    /// transfer card in the chat.
    pub async fn send_transfer(&self, t: NewTransfer) -> ApiResult<MoneyTransfer> {
        let NewTransfer {
            user,
            device,
            key,
            conv,
            amount_fen,
            note,
            ttl_ms,
        } = t;
        self.write(move |cx| {
            let req = TransferRequest {
                conversation: conv,
                amount_fen,
                note: &note,
            };
            let idem = Idempotent::new(user, &key, &req)?;
            if let Some(t) = idem.claim(&cx.conn)? {
                return Ok(t);
            }
            let v = cx.members.get(&cx.conn, conv)?;
            v.role_of(user)?;
            rules::transfer_destination(v.kind, v.direct)?;
            let recipient = v
                .members
                .keys()
                .copied()
                .find(|m| *m != user)
                .ok_or_else(|| ApiError::invalid("conversation_id: not a chat with a friend"))?;
            ledger::open_wallet(&cx.conn, user)?;
            ledger::open_wallet(&cx.conn, recipient)?;
            let id = Uuid::now_v7();
            let now = now_ms();
            sql::exec(
                &cx.conn,
                "INSERT INTO wallet_transfers
                   (id, conversation_id, sender_id, recipient_id, amount, note, state, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)",
                &[
                    &id.to_string(),
                    &conv.to_string(),
                    &user.to_string(),
                    &recipient.to_string(),
                    &amount_fen,
                    &note,
                    &now,
                    &(now + ttl_ms),
                ],
            )?;
            ledger::post(
                &cx.conn,
                Entry {
                    kind: "transfer",
                    memo: "Transfer sent",
                    reference: Some(id),
                },
                &[
                    Posting {
                        account: ledger::wallet_account(user),
                        amount: -amount_fen,
                        bill: BillKind::TransferOut,
                        counterparty: Some(recipient),
                    },
                    Posting {
                        account: TRANSFER_ESCROW.into(),
                        amount: amount_fen,
                        bill: BillKind::TransferOut,
                        counterparty: None,
                    },
                ],
            )?;
            let content = Content::Transfer {
                transfer_id: id,
                amount_fen,
                note: note.clone(),
            };
            let device = device.to_string();
            messages::post(
                cx,
                NewMessage {
                    conv,
                    sender: user,
                    device: &device,
                    client_id: id,
                    content: &content,
                    reply_to: None,
                },
            )?;
            let t = transfer_row(&cx.conn, id)?.ok_or_else(transfer_not_found)?;
            announce(cx, &t)?;
            idem.remember(&cx.conn, &t)?;
            Ok(t)
        })
        .await
    }

    /// The recipient accepts (the money is theirs) or declines (it goes back).
    pub async fn answer_transfer(
        &self,
        user: Uuid,
        id: Uuid,
        accept: bool,
    ) -> ApiResult<MoneyTransfer> {
        self.write(move |cx| {
            let t = transfer_row(&cx.conn, id)?
                .filter(|t| t.sender_id == user || t.recipient_id == user)
                .ok_or_else(transfer_not_found)?;
            // Past its 24 hours an accept sends it back, whether or not the sweep got to it yet.
            let to =
                rules::transfer_answer(t.recipient_id == user, accept, now_ms(), t.expires_at)?;
            let settled = settle(cx, id, to)?.is_some();
            rules::transfer_settled(to, settled)?;
            transfer_row(&cx.conn, id)?.ok_or_else(transfer_not_found)
        })
        .await
    }

    pub async fn transfer(&self, user: Uuid, id: Uuid) -> ApiResult<MoneyTransfer> {
        self.reads
            .run(move |c| {
                transfer_row(c, id)?
                    .filter(|t| t.sender_id == user || t.recipient_id == user)
                    .ok_or_else(transfer_not_found)
            })
            .await
    }

    /// Returns every pending transfer whose 24 hours are up to its sender. Answers how many.
    pub async fn refund_expired(&self, now: i64) -> ApiResult<usize> {
        self.write(move |cx| {
            ledger::settle_due(
                cx,
                "SELECT id FROM wallet_transfers WHERE state = 'pending' AND expires_at <= $1 LIMIT 500",
                now,
                |cx, id| Ok(settle(cx, id, MoneyTransferState::Refunded)?.is_some()),
            )
        })
        .await
    }
}
