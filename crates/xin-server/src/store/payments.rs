//! QR payments: paying someone whose receive code I scanned, and a merchant charging my
//! one-time payment code. The money moves wallet to wallet at once, in one store write with the
//! ledger transaction (its kind says how it was paid, its memo is the note) and both sides'
//! events.

use rand::Rng;
use serde::Serialize;
use uuid::Uuid;
use xin_proto::{BillKind, ErrorCode, EventBody, Payee, Payment, PaymentCode, PaymentVia};

use super::{
    ledger::{self, Entry, Idempotent, Posting},
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::money as rules,
    time::now_ms,
};

/// Who pays whom: the payer directly (a scanned receive code), or a merchant holding the
/// payer's payment code.
#[derive(Clone)]
pub enum Payer {
    Me(Uuid),
    Code(String),
}

/// Checks a stored PIN hash against the PIN the payer gave, without argon2 (see
/// `wallet::pin::VerifiedPins`).
pub type PinCheck = Box<dyn Fn(&str) -> bool + Send>;

/// A payment to make. `by` is who asked (the payer, or the merchant collecting): the
/// idempotency key is theirs.
#[derive(Clone)]
pub struct NewPayment {
    pub by: Uuid,
    pub key: String,
    pub payer: Payer,
    pub payee: Uuid,
    pub amount_fen: i64,
    pub note: String,
}

#[derive(Serialize)]
pub(super) struct PaymentRequest<'a> {
    pub payer: Option<Uuid>,
    pub code: Option<&'a str>,
    pub payee: Uuid,
    pub amount_fen: i64,
    pub note: &'a str,
}

fn code_invalid() -> ApiError {
    ApiError::new(
        ErrorCode::PaymentCodeInvalid,
        "This payment code has expired or was already used. Ask for a fresh one.",
    )
}

pub(super) fn name_of(c: &Conn, user: Uuid) -> ApiResult<String> {
    sql::one(
        c,
        "SELECT display_name FROM users WHERE id = $1",
        &[&user.to_string()],
        |r| r.get(0),
    )?
    .ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "No such person."))
}

/// Marks a live payment code used and answers whose it is. A code of a device that has since
/// signed out is dead, whatever its time.
pub(super) fn consume_code(c: &Conn, code: &str, now: i64) -> ApiResult<Uuid> {
    let owner: Option<String> = sql::one(
        c,
        "UPDATE payment_codes SET used_at = $2
         WHERE code = $1 AND used_at IS NULL AND expires_at > $2
           AND EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = payment_codes.device_id
                       AND s.revoked_at IS NULL)
         RETURNING user_id",
        &[&code, &now],
        |r| r.get(0),
    )?;
    super::parse_uuid(&owner.ok_or_else(code_invalid)?)
}

fn pay(cx: &mut WriteCx, p: NewPayment) -> ApiResult<Payment> {
    let Payer::Me(payer) = p.payer else {
        return Err(ApiError::Internal(
            "a payment code is charged through collect".into(),
        ));
    };
    let request = PaymentRequest {
        payer: Some(payer),
        code: None,
        payee: p.payee,
        amount_fen: p.amount_fen,
        note: &p.note,
    };
    let idem = Idempotent::new(p.by, &p.key, &request)?;
    if let Some(done) = idem.claim(&cx.conn)? {
        return Ok(done);
    }
    let payment = move_money(
        cx,
        Move {
            payer,
            payee: p.payee,
            amount_fen: p.amount_fen,
            note: p.note,
            via: PaymentVia::ReceiveCode,
        },
    )?;
    idem.remember(&cx.conn, &payment)?;
    Ok(payment)
}

/// Money from one wallet to another, as one payment.
pub(super) struct Move {
    pub payer: Uuid,
    pub payee: Uuid,
    pub amount_fen: i64,
    pub note: String,
    pub via: PaymentVia,
}

/// Posts the payment's ledger transaction and tells both sides.
pub(super) fn move_money(cx: &mut WriteCx, m: Move) -> ApiResult<Payment> {
    rules::not_to_self(m.payer, m.payee)?;
    let now = now_ms();
    let payee_name = name_of(&cx.conn, m.payee)?;
    let payer_name = name_of(&cx.conn, m.payer)?;
    // A payer without a wallet account has no money: the debit below refuses it.
    ledger::open_wallet(&cx.conn, m.payee)?;
    let memo = if m.note.is_empty() {
        "Payment".to_string()
    } else {
        m.note.clone()
    };
    let id = ledger::post(
        &cx.conn,
        Entry {
            kind: match m.via {
                PaymentVia::ReceiveCode => "payment_receive_code",
                PaymentVia::PaymentCode => "payment_code",
                PaymentVia::MiniProgram => "mini_program_order",
            },
            memo: &memo,
            reference: None,
        },
        &[
            Posting {
                account: ledger::wallet_account(m.payer),
                amount: -m.amount_fen,
                bill: BillKind::PaymentOut,
                counterparty: Some(m.payee),
            },
            Posting {
                account: ledger::wallet_account(m.payee),
                amount: m.amount_fen,
                bill: BillKind::PaymentIn,
                counterparty: Some(m.payer),
            },
        ],
    )?;
    let payment = Payment {
        id,
        payer_id: m.payer,
        payer_name,
        payee_id: m.payee,
        payee_name,
        amount_fen: m.amount_fen,
        note: m.note,
        via: m.via,
        created_at: now,
    };
    // One event for both sides: their devices read the new balance when told.
    cx.out.append_all(
        &cx.conn,
        &[m.payer, payment.payee_id],
        EventBody::Payment {
            payment: payment.clone(),
        },
    )?;
    Ok(payment)
}

/// 18 digits starting "13", like the payment codes shops' scanners already read.
fn new_code() -> String {
    let mut rng = rand::thread_rng();
    let mut code = String::from("13");
    for _ in 0..16 {
        code.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
    code
}

/// Whether the payer's PIN is one this server already checked, with no wrong tries since: then
/// the payment needs no separate PIN round trip (the check runs in the same write).
fn pin_known(c: &Conn, payer: Uuid, check: &PinCheck) -> ApiResult<bool> {
    let row: Option<(String, i64)> = sql::one(
        c,
        "SELECT hash, failures FROM payment_pins WHERE user_id = $1",
        &[&payer.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(row.is_some_and(|(hash, failures)| failures == 0 && check(&hash)))
}

impl Store {
    /// Makes the payment. With `pin`, the payer's PIN is checked in the same write and `None`
    /// comes back when that check cannot decide (verify it the slow way, then pay without).
    pub async fn pay(&self, p: NewPayment, pin: Option<PinCheck>) -> ApiResult<Option<Payment>> {
        self.write(move |cx| {
            if let (Some(check), Payer::Me(payer)) = (&pin, &p.payer) {
                if !pin_known(&cx.conn, *payer, check)? {
                    return Ok(None);
                }
            }
            pay(cx, p.clone()).map(Some)
        })
        .await
    }

    /// Who a receive code (by Xin ID) pays.
    pub async fn payee(&self, handle: String) -> ApiResult<Payee> {
        self.reads
            .run(move |c| {
                let row = sql::one(
                    c,
                    "SELECT id, handle, display_name, avatar_hue FROM users WHERE handle_key = $1",
                    &[&handle.to_lowercase()],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                        ))
                    },
                )?;
                let (id, handle, display_name, hue) = row.ok_or_else(|| {
                    ApiError::new(ErrorCode::UserNotFound, "No one has this receive code.")
                })?;
                Ok(Payee {
                    user_id: super::parse_uuid(&id)?,
                    handle,
                    display_name,
                    avatar_hue: u16::try_from(hue).unwrap_or(0),
                })
            })
            .await
    }

    /// A fresh payment code for `device`, live for `ttl_ms`, replacing any it had. `renew`: the
    /// device's current code, which must still be live (the caller checked the PIN otherwise).
    pub async fn issue_payment_code(
        &self,
        user: Uuid,
        device: Uuid,
        renew: Option<String>,
        ttl_ms: i64,
    ) -> ApiResult<PaymentCode> {
        self.write(move |cx| {
            let now = now_ms();
            let (user, device) = (user.to_string(), device.to_string());
            if let Some(old) = &renew {
                let live = sql::one(
                    &cx.conn,
                    "SELECT 1 FROM payment_codes WHERE code = $1 AND user_id = $2 AND device_id = $3
                       AND used_at IS NULL AND expires_at > $4",
                    &[&old, &user, &device, &now],
                    |_| Ok(()),
                )?;
                if live.is_none() {
                    return Err(code_invalid());
                }
            }
            sql::exec(
                &cx.conn,
                "DELETE FROM payment_codes WHERE device_id = $1 OR expires_at < $2",
                &[&device, &(now - ttl_ms)],
            )?;
            let code = new_code();
            let expires_at = now + ttl_ms;
            sql::exec(
                &cx.conn,
                "INSERT INTO payment_codes (code, user_id, device_id, expires_at) VALUES ($1, $2, $3, $4)",
                &[&code, &user, &device, &expires_at],
            )?;
            Ok(PaymentCode { code, expires_at })
        })
        .await
    }
}
