//! Charging a payment code. Small charges go through at once, as at any till; one above the
//! payer's no-PIN limits (per charge, and per 24 hours of charges let through without the PIN)
//! waits for the payer to confirm it on their phone with the PIN, or to decline it. Every
//! charge is recorded here: the 24-hour sum is counted over these rows, and a merchant's
//! retry with the same idempotency key finds its charge in whatever state it reached.

use uuid::Uuid;
use xin_proto::{ChargeState, ErrorCode, EventBody, Payment, PaymentVia, PendingCharge};

use super::{
    ledger::Idempotent,
    payments::{consume_code, move_money, name_of, Move, NewPayment, Payer, PaymentRequest},
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::money as rules,
    time::now_ms,
};

const DAY_MS: i64 = 86_400_000;

/// What a payer lets through without their PIN, and how long a larger charge waits for it.
#[derive(Clone, Copy)]
pub struct NoPinLimits {
    pub per_charge_fen: i64,
    pub per_day_fen: i64,
    pub confirm_within_ms: i64,
}

/// A charge's outcome for the till: paid at once, or waiting for the payer.
pub enum Charged {
    Paid(Payment),
    Pending(PendingCharge),
}

pub fn charge_not_found() -> ApiError {
    ApiError::new(ErrorCode::ChargeNotFound, "There is no such charge.")
}

const SELECT: &str = "SELECT id, payer_id, payee_id, amount_fen, note, state, payment, created_at,
    expires_at, fingerprint FROM payment_code_charges";

/// A charge as stored, its state as of `now` (a pending one past its time has expired).
fn row(c: &Conn, r: &sql::Row, now: i64) -> ApiResult<(PendingCharge, String)> {
    let (payer, payee): (String, String) = (r.get(1)?, r.get(2)?);
    let (payer, payee) = (super::parse_uuid(&payer)?, super::parse_uuid(&payee)?);
    let state: String = r.get(5)?;
    let expires_at: i64 = r.get(8)?;
    let payment: Option<String> = r.get(6)?;
    let id: String = r.get(0)?;
    Ok((
        PendingCharge {
            id: super::parse_uuid(&id)?,
            payer_id: payer,
            payer_name: name_of(c, payer)?,
            payee_id: payee,
            payee_name: name_of(c, payee)?,
            amount_fen: r.get(3)?,
            note: r.get(4)?,
            state: match state.as_str() {
                "paid" => ChargeState::Paid,
                "declined" => ChargeState::Declined,
                _ if expires_at <= now => ChargeState::Expired,
                _ => ChargeState::Pending,
            },
            payment: payment
                .map(|p| serde_json::from_str(&p))
                .transpose()
                .map_err(|e| ApiError::Internal(format!("stored payment: {e}")))?,
            created_at: r.get(7)?,
            expires_at,
        },
        r.get(9)?,
    ))
}

fn find(
    c: &Conn,
    filter: &str,
    params: &[&dyn sql::Param],
) -> ApiResult<Option<(PendingCharge, String)>> {
    let now = now_ms();
    sql::one(c, &format!("{SELECT} WHERE {filter}"), params, |r| {
        row(c, r, now)
    })
}

fn charge_of(c: &Conn, id: Uuid) -> ApiResult<PendingCharge> {
    find(c, "id = $1", &[&id.to_string()])?
        .map(|(charge, _)| charge)
        .ok_or_else(charge_not_found)
}

/// Charges let through without the payer's PIN in the last 24 hours.
fn no_pin_spent(c: &Conn, payer: Uuid, now: i64) -> ApiResult<i64> {
    Ok(sql::one(
        c,
        "SELECT COALESCE(SUM(amount_fen), 0) FROM payment_code_charges
         WHERE payer_id = $1 AND state = 'paid' AND confirmed = 0 AND created_at > $2",
        &[&payer.to_string(), &(now - DAY_MS)],
        |r| r.get(0),
    )?
    .unwrap_or(0))
}

fn collected(charge: PendingCharge) -> Charged {
    match (charge.state, charge.payment.clone()) {
        (ChargeState::Paid, Some(payment)) => Charged::Paid(payment),
        _ => Charged::Pending(charge),
    }
}

fn collect(cx: &mut WriteCx, p: NewPayment, limits: NoPinLimits) -> ApiResult<Charged> {
    let Payer::Code(code) = &p.payer else {
        return Err(ApiError::Internal("collect needs a payment code".into()));
    };
    let request = PaymentRequest {
        payer: None,
        code: Some(code),
        payee: p.payee,
        amount_fen: p.amount_fen,
        note: &p.note,
    };
    let idem = Idempotent::new(p.by, &p.key, &request)?;
    // Charges made before this table existed were remembered with the other payments.
    if let Some(done) = idem.replay::<Payment>(&cx.conn)? {
        return Ok(Charged::Paid(done));
    }
    if let Some((charge, fingerprint)) = find(
        &cx.conn,
        "payee_id = $1 AND idem_key = $2",
        &[&p.payee.to_string(), &p.key],
    )? {
        if fingerprint != idem.fingerprint {
            return Err(ApiError::new(
                ErrorCode::IdempotencyConflict,
                "This idempotency key was used for a different payment. Use a new key.",
            ));
        }
        return Ok(collected(charge));
    }
    let now = now_ms();
    let payer = consume_code(&cx.conn, code, now)?;
    rules::not_to_self(payer, p.payee)?;
    let let_through = rules::without_pin(
        p.amount_fen,
        no_pin_spent(&cx.conn, payer, now)?,
        limits.per_charge_fen,
        limits.per_day_fen,
    );
    let id = Uuid::now_v7();
    let payment = if let_through {
        let payment = move_money(
            cx,
            Move {
                payer,
                payee: p.payee,
                amount_fen: p.amount_fen,
                note: p.note.clone(),
                via: PaymentVia::PaymentCode,
            },
        )?;
        Some(serde_json::to_string(&payment).map_err(|e| ApiError::Internal(e.to_string()))?)
    } else {
        None
    };
    sql::exec(
        &cx.conn,
        "INSERT INTO payment_code_charges (id, payer_id, payee_id, idem_key, fingerprint, amount_fen,
           note, state, confirmed, payment, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11)",
        &[&id.to_string(), &payer.to_string(), &p.payee.to_string(), &p.key, &idem.fingerprint,
          &p.amount_fen, &p.note, &if let_through { "paid" } else { "pending" }, &payment, &now,
          &(now + limits.confirm_within_ms)],
    )?;
    let charge = charge_of(&cx.conn, id)?;
    if !let_through {
        // Every one of the payer's devices is asked; the phone shows the PIN sheet.
        cx.out.append_all(
            &cx.conn,
            &[payer],
            EventBody::Charge {
                charge: charge.clone(),
            },
        )?;
    }
    Ok(collected(charge))
}

/// A settled charge, told to both sides.
fn settle(
    cx: &mut WriteCx,
    id: Uuid,
    state: &str,
    payment: Option<&Payment>,
) -> ApiResult<PendingCharge> {
    let json = payment
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    sql::exec(
        &cx.conn,
        "UPDATE payment_code_charges SET state = $2, confirmed = 1, payment = $3 WHERE id = $1",
        &[&id.to_string(), &state, &json],
    )?;
    let charge = charge_of(&cx.conn, id)?;
    cx.out.append_all(
        &cx.conn,
        &[charge.payer_id, charge.payee_id],
        EventBody::Charge {
            charge: charge.clone(),
        },
    )?;
    Ok(charge)
}

/// The payer's own pending charge, or why it cannot be settled.
fn payers_pending(c: &Conn, payer: Uuid, id: Uuid) -> ApiResult<Option<PendingCharge>> {
    let charge = charge_of(c, id)?;
    if charge.payer_id != payer {
        return Err(charge_not_found());
    }
    Ok(match rules::confirm_charge(charge.state)? {
        rules::Confirm::Pay => Some(charge),
        rules::Confirm::Replay => None,
    })
}

impl Store {
    /// A merchant charges a payment code (see the module's comment).
    pub async fn collect(&self, p: NewPayment, limits: NoPinLimits) -> ApiResult<Charged> {
        self.write(move |cx| collect(cx, p.clone(), limits)).await
    }

    /// A charge, for its payer or its payee.
    pub async fn charge(&self, user: Uuid, id: Uuid) -> ApiResult<PendingCharge> {
        self.reads
            .run(move |c| {
                let charge = charge_of(c, id)?;
                if charge.payer_id != user && charge.payee_id != user {
                    return Err(charge_not_found());
                }
                Ok(charge)
            })
            .await
    }

    /// The payer confirmed with their PIN (the caller checked it): the money moves.
    pub async fn confirm_charge(&self, payer: Uuid, id: Uuid) -> ApiResult<PendingCharge> {
        self.write(move |cx| {
            let Some(charge) = payers_pending(&cx.conn, payer, id)? else {
                return charge_of(&cx.conn, id);
            };
            let payment = move_money(
                cx,
                Move {
                    payer,
                    payee: charge.payee_id,
                    amount_fen: charge.amount_fen,
                    note: charge.note,
                    via: PaymentVia::PaymentCode,
                },
            )?;
            settle(cx, id, "paid", Some(&payment))
        })
        .await
    }

    /// The payer declined: nothing moves, and the till is told.
    pub async fn decline_charge(&self, payer: Uuid, id: Uuid) -> ApiResult<PendingCharge> {
        self.write(move |cx| {
            if payers_pending(&cx.conn, payer, id)?.is_none() {
                return Err(ApiError::new(
                    ErrorCode::PaymentCodeInvalid,
                    "This charge was already paid.",
                ));
            }
            settle(cx, id, "declined", None)
        })
        .await
    }
}
