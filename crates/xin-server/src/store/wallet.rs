//! Wallet reads and writes: cards, the PIN's record, bank movements, bills and transfers. Every
//! money write is one store write: the ledger transaction, the state it changes, the chat card
//! and the events commit together, durably, before the caller is answered.

use serde::Serialize;
use uuid::Uuid;
use xin_proto::{
    BankCard, Bill, BillKind, BillQuery, Content, ConversationKind, ErrorCode, EventBody,
    MoneyTransfer, MoneyTransferState, Wallet,
};

use super::{
    ledger::{self, Entry, Idempotent, Posting, BANK, TRANSFER_ESCROW},
    messages::{self, NewMessage},
    sql::{self, Conn},
    views::DirectState,
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

/// A PIN's stored state.
pub struct PinRecord {
    pub hash: String,
    pub failures: i64,
    pub next_try_at: i64,
}

/// What claiming a PIN try found.
pub enum PinClaim {
    NotSet,
    Locked {
        wait_ms: i64,
    },
    /// The try may be checked; `failures` counts it as wrong until it proves right.
    Claimed {
        failures: i64,
    },
}

/// A bank movement's request, fingerprinted for idempotency.
#[derive(Serialize)]
pub struct BankRequest {
    pub kind: &'static str,
    pub card: Uuid,
    pub amount_fen: i64,
}

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

fn card_not_found() -> ApiError {
    ApiError::new(ErrorCode::CardNotFound, "No such card in your wallet.")
}

fn transfer_not_found() -> ApiError {
    ApiError::new(ErrorCode::TransferNotFound, "No such transfer.")
}

fn card_from_row(r: &rusqlite::Row) -> rusqlite::Result<(String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn cards(c: &Conn, user: Uuid) -> ApiResult<Vec<BankCard>> {
    sql::all(
        c,
        "SELECT id, bank, last4 FROM bank_cards WHERE user_id = $1 ORDER BY created_at",
        &[&user.to_string()],
        card_from_row,
    )?
    .into_iter()
    .map(|(id, bank, last4)| {
        Ok(BankCard {
            id: super::parse_uuid(&id)?,
            bank,
            last4,
            sandbox: true,
        })
    })
    .collect()
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
    pub async fn wallet(&self, user: Uuid) -> ApiResult<Wallet> {
        self.reads
            .run(move |c| {
                let has_pin = sql::one(
                    c,
                    "SELECT 1 FROM payment_pins WHERE user_id = $1",
                    &[&user.to_string()],
                    |_| Ok(()),
                )?
                .is_some();
                Ok(Wallet {
                    balance_fen: ledger::balance(c, &ledger::wallet_account(user))?,
                    has_pin,
                    cards: cards(c, user)?,
                })
            })
            .await
    }

    /// Adds a card by its number's fingerprint; the same card twice is the same card.
    pub async fn add_card(
        &self,
        user: Uuid,
        bank: String,
        last4: String,
        fingerprint: String,
    ) -> ApiResult<BankCard> {
        self.write(move |cx| {
            let id = Uuid::now_v7();
            sql::exec(
                &cx.conn,
                "INSERT INTO bank_cards (id, user_id, bank, last4, fingerprint, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[
                    &id.to_string(),
                    &user.to_string(),
                    &bank,
                    &last4,
                    &fingerprint,
                    &now_ms(),
                ],
            )?;
            let (id, bank, last4) = sql::one(
                &cx.conn,
                "SELECT id, bank, last4 FROM bank_cards WHERE user_id = $1 AND fingerprint = $2",
                &[&user.to_string(), &fingerprint],
                card_from_row,
            )?
            .ok_or_else(card_not_found)?;
            Ok(BankCard {
                id: super::parse_uuid(&id)?,
                bank,
                last4,
                sandbox: true,
            })
        })
        .await
    }

    pub async fn card(&self, user: Uuid, card: Uuid) -> ApiResult<BankCard> {
        self.reads
            .run(move |c| {
                cards(c, user)?
                    .into_iter()
                    .find(|k| k.id == card)
                    .ok_or_else(card_not_found)
            })
            .await
    }

    pub async fn pin(&self, user: Uuid) -> ApiResult<Option<PinRecord>> {
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT hash, failures, next_try_at FROM payment_pins WHERE user_id = $1",
                    &[&user.to_string()],
                    |r| {
                        Ok(PinRecord {
                            hash: r.get(0)?,
                            failures: r.get(1)?,
                            next_try_at: r.get(2)?,
                        })
                    },
                )
            })
            .await
    }

    pub async fn set_pin(&self, user: Uuid, hash: String) -> ApiResult<()> {
        self.write(move |cx| {
            sql::exec(
                &cx.conn,
                "INSERT INTO payment_pins (user_id, hash, failures, next_try_at) VALUES ($1, $2, 0, 0)
                 ON CONFLICT (user_id) DO UPDATE SET hash = $2, failures = 0, next_try_at = 0",
                &[&user.to_string(), &hash],
            )?;
            Ok(())
        })
        .await
    }

    /// Claims one PIN try before the PIN is checked, in one write: refused (with the time left)
    /// while the delay from earlier failures runs; otherwise the try is counted as a failure up
    /// front and the delay it would earn starts now. So parallel guesses cannot all slip past
    /// the check before any failure is recorded: each one sees the ones claimed before it.
    pub async fn pin_claim(&self, user: Uuid, delay_ms: fn(i64) -> i64) -> ApiResult<PinClaim> {
        self.write(move |cx| {
            let user = user.to_string();
            let Some((failures, next_try_at)) = sql::one(
                &cx.conn,
                "SELECT failures, next_try_at FROM payment_pins WHERE user_id = $1",
                &[&user],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?
            else {
                return Ok(PinClaim::NotSet);
            };
            let now = now_ms();
            if next_try_at > now {
                return Ok(PinClaim::Locked {
                    wait_ms: next_try_at - now,
                });
            }
            let failures = failures + 1;
            sql::exec(
                &cx.conn,
                "UPDATE payment_pins SET failures = $2, next_try_at = $3 WHERE user_id = $1",
                &[&user, &failures, &(now + delay_ms(failures))],
            )?;
            Ok(PinClaim::Claimed { failures })
        })
        .await
    }

    /// A right PIN clears the failures its claim (and earlier wrong ones) counted.
    pub async fn pin_cleared(&self, user: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            sql::exec(
                &cx.conn,
                "UPDATE payment_pins SET failures = 0, next_try_at = 0 WHERE user_id = $1 AND failures > 0",
                &[&user.to_string()],
            )?;
            Ok(())
        })
        .await
    }

    /// Whether a money request was made under `key` (its answer is remembered).
    pub async fn wallet_request_made(&self, user: Uuid, key: String) -> ApiResult<bool> {
        self.reads
            .run(move |c| {
                Ok(sql::one(
                    c,
                    "SELECT 1 FROM wallet_requests WHERE user_id = $1 AND key = $2",
                    &[&user.to_string(), &key],
                    |_| Ok(()),
                )?
                .is_some())
            })
            .await
    }

    /// A top-up (bank → wallet) or withdrawal (wallet → bank) the bank has already carried out.
    pub async fn bank_move(&self, user: Uuid, key: String, req: BankRequest) -> ApiResult<Bill> {
        self.write(move |cx| {
            let idem = Idempotent::new(user, &key, &req)?;
            if let Some(bill) = idem.replay(&cx.conn)? {
                return Ok(bill);
            }
            ledger::open_wallet(&cx.conn, user)?;
            let (bill, amount, memo) = match req.kind {
                "top_up" => (
                    BillKind::TopUp,
                    req.amount_fen,
                    "Top-up from the sandbox bank",
                ),
                "withdrawal_reversal" => (
                    BillKind::Withdrawal,
                    req.amount_fen,
                    "Withdrawal refused by the bank: returned",
                ),
                _ => (
                    BillKind::Withdrawal,
                    -req.amount_fen,
                    "Withdrawal to the sandbox bank",
                ),
            };
            let wallet = ledger::wallet_account(user);
            let tx = ledger::post(
                &cx.conn,
                Entry {
                    kind: req.kind,
                    memo,
                    reference: None,
                },
                &[
                    Posting {
                        account: BANK.into(),
                        amount: -amount,
                        bill,
                        counterparty: None,
                    },
                    Posting {
                        account: wallet.clone(),
                        amount,
                        bill,
                        counterparty: None,
                    },
                ],
            )?;
            let line = bill_of(&cx.conn, &wallet, tx)?.ok_or_else(transfer_not_found)?;
            cx.out.append(
                &cx.conn,
                user,
                EventBody::WalletChanged {
                    balance_fen: line.balance_after_fen,
                },
            )?;
            idem.remember(&cx.conn, &line)?;
            Ok(line)
        })
        .await
    }

    pub async fn bills(&self, user: Uuid, q: BillQuery, range: (i64, i64)) -> ApiResult<Vec<Bill>> {
        self.reads
            .run(move |c| {
                let wallet = ledger::wallet_account(user);
                let ids: Vec<String> = sql::all(
                    c,
                    "SELECT p.transaction_id FROM ledger_postings p
                     JOIN ledger_transactions t ON t.id = p.transaction_id
                     WHERE p.account_id = $1 AND t.created_at >= $2 AND t.created_at < $3
                       AND ($4 = '' OR p.bill_kind = $4)
                       AND ($5 = '' OR ($5 = 'in' AND p.amount > 0) OR ($5 = 'out' AND p.amount < 0))
                     ORDER BY p.transaction_id DESC LIMIT 500",
                    &[
                        &wallet,
                        &range.0,
                        &range.1,
                        &q.kind.map(ledger::bill_str).unwrap_or(""),
                        &q.direction.clone().unwrap_or_default(),
                    ],
                    |r| r.get(0),
                )?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(b) = bill_of(c, &wallet, super::parse_uuid(&id)?)? {
                        out.push(b);
                    }
                }
                Ok(out)
            })
            .await
    }

    /// One bill line of mine.
    pub async fn bill(&self, user: Uuid, id: Uuid) -> ApiResult<Bill> {
        self.reads
            .run(move |c| {
                bill_of(c, &ledger::wallet_account(user), id)?.ok_or_else(|| {
                    ApiError::new(ErrorCode::NotFound, "No such bill in your wallet.")
                })
            })
            .await
    }

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
            if let Some(t) = idem.replay(&cx.conn)? {
                return Ok(t);
            }
            let v = cx.views.get(&cx.conn, conv)?;
            v.role_of(user)?;
            if v.kind != ConversationKind::Direct {
                return Err(ApiError::invalid(
                    "conversation_id: transfers go to one friend, in your direct chat",
                ));
            }
            match v.direct {
                Some(DirectState::Blocked) => {
                    return Err(ApiError::new(
                        ErrorCode::Blocked,
                        "This person does not accept your messages.",
                    ))
                }
                Some(DirectState::NotFriends) => {
                    return Err(ApiError::new(
                        ErrorCode::NotFriends,
                        "You can only send money to friends.",
                    ))
                }
                _ => {}
            }
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
            if t.recipient_id != user {
                return Err(ApiError::new(
                    ErrorCode::NotAllowed,
                    "Only the person it was sent to can accept or decline a transfer.",
                ));
            }
            let to = if !accept {
                MoneyTransferState::Declined
            } else if now_ms() >= t.expires_at {
                // Past its 24 hours: it goes back, whether or not the sweep got to it yet.
                MoneyTransferState::Refunded
            } else {
                MoneyTransferState::Accepted
            };
            match settle(cx, id, to)? {
                Some(_) if to == MoneyTransferState::Refunded => Err(ApiError::new(
                    ErrorCode::TransferSettled,
                    "This transfer was not accepted within 24 hours and went back to the sender.",
                )),
                Some(_) => transfer_row(&cx.conn, id)?.ok_or_else(transfer_not_found),
                None => Err(ApiError::new(
                    ErrorCode::TransferSettled,
                    "This transfer was already accepted, declined or returned.",
                )),
            }
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

    /// Every ledger invariant; the problems found (none when sound).
    pub async fn ledger_check(&self) -> ApiResult<Vec<String>> {
        self.reads.run(ledger::check).await
    }
}

/// A transaction as it touched `account`.
fn bill_of(c: &Conn, account: &str, tx: Uuid) -> ApiResult<Option<Bill>> {
    let row = sql::one(
        c,
        "SELECT p.amount, p.balance_after, p.bill_kind, p.counterparty, t.memo, t.reference_id,
                t.created_at, u.display_name
         FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
         LEFT JOIN users u ON u.id = p.counterparty
         WHERE p.transaction_id = $1 AND p.account_id = $2",
        &[&tx.to_string(), &account],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        },
    )?;
    let Some((amount, after, kind, counterparty, memo, reference, created, name)) = row else {
        return Ok(None);
    };
    let kind = ledger::parse_bill(&kind);
    let reference = reference.map(|u| super::parse_uuid(&u)).transpose()?;
    let envelope = matches!(
        kind,
        BillKind::EnvelopeSent | BillKind::EnvelopeGrabbed | BillKind::EnvelopeReturned
    );
    Ok(Some(Bill {
        id: tx,
        kind,
        amount_fen: amount,
        balance_after_fen: after,
        counterparty: counterparty.map(|u| super::parse_uuid(&u)).transpose()?,
        counterparty_name: name,
        memo,
        transfer_id: reference.filter(|_| !envelope),
        envelope_id: reference.filter(|_| envelope),
        created_at: created,
    }))
}
