//! The double-entry ledger underneath the wallet: one immutable transaction per movement, its
//! postings summing to zero, written with the balance changes in the same store write (so
//! atomically, and durable before anyone is answered).
//!
//! No correctness rests on SQLite's single writer: a debit is a conditional update
//! (`balance + amount >= 0` in the `WHERE`), which holds under concurrent writers on
//! PostgreSQL too (the row is locked by the update), and the schema's CHECK refuses a negative
//! wallet whatever the code does.

use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;
use xin_proto::{BillKind, ErrorCode};

use super::{
    sql::{self, Conn},
    writer::WriteCx,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

pub(crate) const BANK: &str = "bank:sandbox";
pub(crate) const TRANSFER_ESCROW: &str = "escrow:transfer";
pub(crate) const ENVELOPE_ESCROW: &str = "escrow:envelope";

pub(crate) fn wallet_account(user: Uuid) -> String {
    format!("wallet:{user}")
}

/// One side of a movement.
pub(crate) struct Posting {
    pub account: String,
    /// Positive: money into the account.
    pub amount: i64,
    pub bill: BillKind,
    pub counterparty: Option<Uuid>,
}

/// What a transaction records about itself.
pub(crate) struct Entry<'a> {
    pub kind: &'a str,
    pub memo: &'a str,
    /// The transfer or red envelope the movement belongs to.
    pub reference: Option<Uuid>,
}

pub(crate) fn bill_str(k: BillKind) -> &'static str {
    match k {
        BillKind::TopUp => "top_up",
        BillKind::Withdrawal => "withdrawal",
        BillKind::TransferOut => "transfer_out",
        BillKind::TransferIn => "transfer_in",
        BillKind::TransferRefund => "transfer_refund",
        BillKind::EnvelopeSent => "envelope_sent",
        BillKind::EnvelopeGrabbed => "envelope_grabbed",
        BillKind::EnvelopeReturned => "envelope_returned",
        BillKind::PaymentOut => "payment_out",
        BillKind::PaymentIn => "payment_in",
    }
}

pub(crate) fn parse_bill(s: &str) -> BillKind {
    match s {
        "top_up" => BillKind::TopUp,
        "withdrawal" => BillKind::Withdrawal,
        "transfer_out" => BillKind::TransferOut,
        "transfer_in" => BillKind::TransferIn,
        "envelope_sent" => BillKind::EnvelopeSent,
        "envelope_grabbed" => BillKind::EnvelopeGrabbed,
        "envelope_returned" => BillKind::EnvelopeReturned,
        "payment_out" => BillKind::PaymentOut,
        "payment_in" => BillKind::PaymentIn,
        _ => BillKind::TransferRefund,
    }
}

/// Makes sure `user` has a wallet account.
pub(crate) fn open_wallet(c: &Conn, user: Uuid) -> ApiResult<()> {
    sql::exec(
        c,
        "INSERT INTO ledger_accounts (id, kind, user_id, balance) VALUES ($1, 'wallet', $2, 0)
         ON CONFLICT DO NOTHING",
        &[&wallet_account(user), &user.to_string()],
    )?;
    Ok(())
}

pub(crate) fn balance(c: &Conn, account: &str) -> ApiResult<i64> {
    Ok(sql::one(
        c,
        "SELECT balance FROM ledger_accounts WHERE id = $1",
        &[&account],
        |r| r.get(0),
    )?
    .unwrap_or(0))
}

/// Writes one transaction. Answers `insufficient_funds` (having changed nothing the caller's
/// savepoint does not undo) when a wallet or escrow would go below zero.
pub(crate) fn post(c: &Conn, entry: Entry<'_>, postings: &[Posting]) -> ApiResult<Uuid> {
    if postings.iter().map(|p| p.amount).sum::<i64>() != 0 || postings.iter().any(|p| p.amount == 0)
    {
        return Err(ApiError::Internal("unbalanced ledger transaction".into()));
    }
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO ledger_transactions (id, kind, memo, reference_id, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &id.to_string(),
            &entry.kind,
            &entry.memo,
            &entry.reference.map(|t| t.to_string()),
            &now_ms(),
        ],
    )?;
    // Accounts are locked in one order by every writer, so two postings over the same
    // accounts (a transfer out, a refund back) wait for each other instead of deadlocking.
    let mut ordered: Vec<&Posting> = postings.iter().collect();
    ordered.sort_by(|a, b| a.account.cmp(&b.account));
    for p in ordered {
        let after: Option<i64> = sql::one(
            c,
            "UPDATE ledger_accounts SET balance = balance + $2
             WHERE id = $1 AND (kind = 'bank' OR balance + $2 >= 0) RETURNING balance",
            &[&p.account, &p.amount],
            |r| r.get(0),
        )?;
        let Some(after) = after else {
            return Err(ApiError::new(
                ErrorCode::InsufficientFunds,
                "Not enough money in the wallet for this.",
            ));
        };
        sql::exec(
            c,
            "INSERT INTO ledger_postings
               (transaction_id, account_id, amount, balance_after, bill_kind, counterparty)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id.to_string(),
                &p.account,
                &p.amount,
                &after,
                &bill_str(p.bill),
                &p.counterparty.map(|u| u.to_string()),
            ],
        )?;
    }
    Ok(id)
}

/// A money request's idempotency: the first answer to `(user, key)`, replayed; the same key
/// with other parameters is refused.
pub(crate) struct Idempotent<'a> {
    pub user: Uuid,
    pub key: &'a str,
    /// What the request asked for, fingerprinted.
    pub fingerprint: String,
}

impl<'a> Idempotent<'a> {
    pub fn new(user: Uuid, key: &'a str, params: &impl Serialize) -> ApiResult<Self> {
        // 64 from clients; the server's own follow-ups (a reversal) add a suffix.
        let valid = (1..=96).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
        if !valid {
            return Err(ApiError::invalid(
                "idempotency_key: 1–64 printable ASCII characters, new for every payment",
            ));
        }
        let json = serde_json::to_vec(params).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(Self {
            user,
            key,
            fingerprint: blake3::hash(&json).to_hex().to_string(),
        })
    }

    /// Claims the key before the work, or answers the first answer if it was used before. A
    /// retry arriving while the first is still at work (on another node) waits for it at the
    /// claim and then gets its answer, instead of doing the work again or failing. The claim is
    /// part of the write: a refused request leaves no claim behind.
    pub fn claim<T: DeserializeOwned>(&self, c: &Conn) -> ApiResult<Option<T>> {
        let claimed = sql::exec(
            c,
            "INSERT INTO wallet_requests (user_id, key, fingerprint, response, created_at)
             VALUES ($1, $2, $3, '', $4) ON CONFLICT (key, user_id) DO NOTHING",
            &[
                &self.user.to_string(),
                &self.key,
                &self.fingerprint,
                &now_ms(),
            ],
        )?;
        if claimed == 1 {
            return Ok(None);
        }
        self.replay(c)?
            .map(Some)
            .ok_or_else(|| ApiError::Internal("an idempotency key claimed but not answered".into()))
    }

    /// The first answer, if this key was used before.
    pub fn replay<T: DeserializeOwned>(&self, c: &Conn) -> ApiResult<Option<T>> {
        let row: Option<(String, String)> = sql::one(
            c,
            "SELECT fingerprint, response FROM wallet_requests WHERE key = $2 AND user_id = $1",
            &[&self.user.to_string(), &self.key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        match row {
            None => Ok(None),
            Some((f, _)) if f != self.fingerprint => Err(ApiError::new(
                ErrorCode::IdempotencyConflict,
                "This idempotency key was used for a different payment. Use a new key.",
            )),
            Some((_, response)) => serde_json::from_str(&response)
                .map(Some)
                .map_err(|e| ApiError::Internal(format!("stored answer: {e}"))),
        }
    }

    /// Keeps the answer to a key this write claimed.
    pub fn remember(&self, c: &Conn, answer: &impl Serialize) -> ApiResult<()> {
        let json = serde_json::to_string(answer).map_err(|e| ApiError::Internal(e.to_string()))?;
        let kept = sql::exec(
            c,
            "UPDATE wallet_requests SET response = $3 WHERE user_id = $1 AND key = $2",
            &[&self.user.to_string(), &self.key, &json],
        )?;
        if kept != 1 {
            return Err(ApiError::Internal("an answer to an unclaimed key".into()));
        }
        Ok(())
    }
}

/// Runs `settle` on every id `due_sql` ($1 = now) lists; answers how many it settled.
pub(crate) fn settle_due(
    cx: &mut WriteCx,
    due_sql: &str,
    now: i64,
    mut settle: impl FnMut(&mut WriteCx, Uuid) -> ApiResult<bool>,
) -> ApiResult<usize> {
    let due: Vec<String> = sql::all(&cx.conn, due_sql, &[&now], |r| r.get(0))?;
    let mut settled = 0;
    for id in due {
        if settle(cx, super::parse_uuid(&id)?)? {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Every invariant of the ledger; answers what is wrong (nothing, when it is sound).
pub(crate) fn check(c: &Conn) -> ApiResult<Vec<String>> {
    let mut problems = Vec::new();
    let unbalanced: Vec<(String, i64)> = sql::all(
        c,
        "SELECT t.id, COALESCE(SUM(p.amount), 0) FROM ledger_transactions t
         LEFT JOIN ledger_postings p ON p.transaction_id = t.id
         GROUP BY t.id HAVING COALESCE(SUM(p.amount), 0) <> 0 OR COUNT(p.account_id) < 2",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (id, sum) in unbalanced {
        problems.push(format!(
            "transaction {id}: postings sum to {sum} (or fewer than two)"
        ));
    }
    let drifted: Vec<(String, i64, i64)> = sql::all(
        c,
        "SELECT a.id, a.balance, COALESCE(SUM(p.amount), 0) FROM ledger_accounts a
         LEFT JOIN ledger_postings p ON p.account_id = a.id
         GROUP BY a.id, a.balance HAVING a.balance <> COALESCE(SUM(p.amount), 0)",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (id, balance, sum) in drifted {
        problems.push(format!(
            "account {id}: balance {balance} but its postings sum to {sum}"
        ));
    }
    let negative: Vec<(String, i64)> = sql::all(
        c,
        "SELECT id, balance FROM ledger_accounts WHERE kind <> 'bank' AND balance < 0",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (id, balance) in negative {
        problems.push(format!("account {id} is below zero: {balance}"));
    }
    // Money in minus money out (the bank's side, negated) is what wallets and escrows hold.
    let held: i64 = sql::one(
        c,
        "SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE kind <> 'bank'",
        &[],
        |r| r.get(0),
    )?
    .unwrap_or(0);
    let bank = balance(c, BANK)?;
    if held != -bank {
        problems.push(format!(
            "wallets and escrows hold {held}, but money in − out is {}",
            -bank
        ));
    }
    let pending: i64 = sql::one(
        c,
        "SELECT COALESCE(SUM(amount), 0) FROM wallet_transfers WHERE state = 'pending'",
        &[],
        |r| r.get(0),
    )?
    .unwrap_or(0);
    let escrow = balance(c, TRANSFER_ESCROW)?;
    if pending != escrow {
        problems.push(format!(
            "transfer escrow holds {escrow}, pending transfers add up to {pending}"
        ));
    }
    let unclaimed: i64 = sql::one(
        c,
        "SELECT COALESCE(SUM(e.amount - COALESCE((SELECT SUM(g.amount) FROM red_envelope_grabs g
                                                  WHERE g.envelope_id = e.id), 0)), 0)
         FROM red_envelopes e WHERE e.state = 'open'",
        &[],
        |r| r.get(0),
    )?
    .unwrap_or(0);
    let held = balance(c, ENVELOPE_ESCROW)?;
    if unclaimed != held {
        problems.push(format!(
            "red-envelope escrow holds {held}, open envelopes have {unclaimed} left"
        ));
    }
    Ok(problems)
}
