//! Wallet reads and writes: cards, the PIN's record, bank movements, bills and transfers. Every
//! money write is one store write: the ledger transaction, the state it changes, the chat card
//! and the events commit together, durably, before the caller is answered.

use serde::Serialize;
use uuid::Uuid;
use xin_proto::{BankCard, Bill, BillKind, BillQuery, ErrorCode, EventBody, Wallet};

use super::{
    ledger::{self, Entry, Idempotent, Posting, BANK},
    sql::{self, Conn},
    transfers::transfer_not_found,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::money::{self as rules, PinTry},
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

fn card_not_found() -> ApiError {
    ApiError::new(ErrorCode::CardNotFound, "No such card in your wallet.")
}

fn card_from_row(r: &sql::Row) -> ApiResult<(String, String, String)> {
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
            match rules::claim_pin_try(failures, next_try_at, now_ms(), delay_ms) {
                PinTry::Locked { wait_ms } => Ok(PinClaim::Locked { wait_ms }),
                PinTry::Claimed {
                    failures,
                    next_try_at,
                } => {
                    sql::exec(
                        &cx.conn,
                        "UPDATE payment_pins SET failures = $2, next_try_at = $3 WHERE user_id = $1",
                        &[&user, &failures, &next_try_at],
                    )?;
                    Ok(PinClaim::Claimed { failures })
                }
            }
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
            if let Some(bill) = idem.claim(&cx.conn)? {
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
