//! QR payments and the PIN's reset from the phone: who a receive code pays, paying it, one-time
//! payment codes, and a merchant charging one.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    Collect, ConfirmCharge, DeviceKind, ErrorBody, ErrorCode, NewPaymentCode, Pay, Payee, Payment,
    PaymentCode, PendingCharge, ResetPin,
};

use super::wallet::{key, note};
use crate::{
    auth::{self, Authed},
    error::{ApiError, ApiResult},
    extract,
    state::AppState,
    store::{charge_not_found, Charged, NewPayment, NoPinLimits, Payer, PinCheck},
    wallet::{self, pin},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(payee))
        .routes(routes!(pay))
        .routes(routes!(new_payment_code))
        .routes(routes!(collect))
        .routes(routes!(charge))
        .routes(routes!(confirm_charge))
        .routes(routes!(decline_charge))
        .routes(routes!(reset_pin))
}

/// Who a receive code pays (the code holds their Xin ID), to show before paying.
#[utoipa::path(get, path = "/wallet/payees/{handle}", tag = "wallet", security(("bearer" = [])),
    params(("handle" = String, Path)), responses((status = 200, body = Payee), (status = 404, body = ErrorBody)))]
async fn payee(
    State(state): State<AppState>,
    _authed: Authed,
    Path(handle): Path<String>,
) -> ApiResult<Json<Payee>> {
    if handle.is_empty() || handle.len() > 32 {
        return Err(ApiError::new(
            ErrorCode::UserNotFound,
            "No one has this receive code.",
        ));
    }
    Ok(Json(state.store.payee(handle).await?))
}

/// Pay someone at once, e.g. after scanning their receive code. Needs the PIN.
#[utoipa::path(post, path = "/wallet/payments", tag = "wallet", security(("bearer" = [])), request_body = Pay,
    responses((status = 200, body = Payment), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn pay(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<Pay>,
) -> ApiResult<Json<Payment>> {
    let (key, amount) = (key(&req.idempotency_key)?, wallet::amount(req.amount_fen)?);
    let note = note(&req.note, 50)?;
    if req.payee_id == authed.user_id {
        return Err(ApiError::new(
            ErrorCode::SelfPayment,
            "You cannot pay yourself.",
        ));
    }
    let payment = NewPayment {
        by: authed.user_id,
        key,
        payer: Payer::Me(authed.user_id),
        payee: req.payee_id,
        amount_fen: amount,
        note,
    };
    // The common case, a PIN this server has already checked, is decided inside the payment's
    // own write: no separate read, no argon2.
    let (known, user, pin) = (state.clone(), authed.user_id, req.pin.clone());
    let check: PinCheck = Box::new(move |hash| known.pins.knows(user, hash, &pin));
    if let Some(done) = state.store.pay(payment.clone(), Some(check)).await? {
        return Ok(Json(done));
    }
    pin::verify(&state, authed.user_id, &req.pin).await?;
    let done = state.store.pay(payment, None).await?;
    done.map(Json)
        .ok_or_else(|| ApiError::Internal("payment without a PIN check".into()))
}

/// A fresh one-time payment code for this device (valid 60 s). The first needs the PIN; the
/// device renews a live code with that code.
#[utoipa::path(post, path = "/wallet/payment-codes", tag = "wallet", security(("bearer" = [])), request_body = NewPaymentCode,
    responses((status = 200, body = PaymentCode), (status = 403, body = ErrorBody), (status = 410, body = ErrorBody),
      (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn new_payment_code(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<NewPaymentCode>,
) -> ApiResult<Json<PaymentCode>> {
    let renew = match (req.renew, req.pin) {
        (Some(code), _) => Some(code),
        (None, Some(p)) => {
            pin::verify(&state, authed.user_id, &p).await?;
            None
        }
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::WrongPin,
                "Enter your payment PIN to show the payment code.",
            ))
        }
    };
    Ok(Json(
        state
            .store
            .issue_payment_code(
                authed.user_id,
                authed.device_id,
                renew,
                state.payment_code_ttl_ms(),
            )
            .await?,
    ))
}

/// A merchant charges a customer's payment code: the money moves from their wallet to mine at
/// once (200), or, above what the customer lets through without their PIN, once they confirm
/// it on their phone (202, a pending charge to follow at `/wallet/charges/{id}`).
#[utoipa::path(post, path = "/wallet/collect", tag = "wallet", security(("bearer" = [])), request_body = Collect,
    responses((status = 200, body = Payment), (status = 202, body = PendingCharge, description = "Waiting for the payer's PIN"),
      (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
      (status = 410, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn collect(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<Collect>,
) -> ApiResult<Response> {
    let (key, amount) = (key(&req.idempotency_key)?, wallet::amount(req.amount_fen)?);
    let note = note(&req.note, 50)?;
    let code = req.code.trim().to_string();
    if code.len() != 18 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("code: a payment code is 18 digits"));
    }
    state.limits.collect(&authed.user_id.to_string())?;
    let limits = NoPinLimits {
        per_charge_fen: state.config.payment_code_no_pin_fen,
        per_day_fen: state.config.payment_code_no_pin_daily_fen,
        confirm_within_ms: i64::try_from(
            state.config.payment_code_confirm_secs.saturating_mul(1000),
        )
        .unwrap_or(i64::MAX),
    };
    let payment = NewPayment {
        by: authed.user_id,
        key,
        payer: Payer::Code(code),
        payee: authed.user_id,
        amount_fen: amount,
        note,
    };
    Ok(match state.store.collect(payment, limits).await? {
        Charged::Paid(p) => Json(p).into_response(),
        Charged::Pending(c) => (StatusCode::ACCEPTED, Json(c)).into_response(),
    })
}

fn charge_id(raw: &str) -> ApiResult<Uuid> {
    super::contacts::path_id(raw, ErrorCode::ChargeNotFound)
}

/// A payment-code charge, for its payer or the till that made it.
#[utoipa::path(get, path = "/wallet/charges/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PendingCharge), (status = 404, body = ErrorBody)))]
async fn charge(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<PendingCharge>> {
    Ok(Json(
        state.store.charge(authed.user_id, charge_id(&id)?).await?,
    ))
}

/// The payer confirms a pending charge with the PIN: the money moves.
#[utoipa::path(post, path = "/wallet/charges/{id}/confirm", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ConfirmCharge,
    responses((status = 200, body = PendingCharge), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn confirm_charge(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<ConfirmCharge>,
) -> ApiResult<Json<PendingCharge>> {
    let id = charge_id(&id)?;
    // Not found before the PIN: only the payer confirms, and a stranger's try costs no PIN try.
    if state.store.charge(authed.user_id, id).await?.payer_id != authed.user_id {
        return Err(charge_not_found());
    }
    pin::verify(&state, authed.user_id, &req.pin).await?;
    Ok(Json(state.store.confirm_charge(authed.user_id, id).await?))
}

/// The payer declines a pending charge: nothing moves, and the till is told.
#[utoipa::path(post, path = "/wallet/charges/{id}/decline", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PendingCharge), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn decline_charge(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<PendingCharge>> {
    Ok(Json(
        state
            .store
            .decline_charge(authed.user_id, charge_id(&id)?)
            .await?,
    ))
}

/// Set a new PIN without the old one: only from the phone, with the account's password.
#[utoipa::path(post, path = "/wallet/pin/reset", tag = "wallet", security(("bearer" = [])), request_body = ResetPin,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
      (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn reset_pin(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<ResetPin>,
) -> ApiResult<StatusCode> {
    pin::check_format(&req.pin)?;
    let devices = state
        .store
        .devices(authed.user_id, authed.device_id)
        .await?;
    let on_phone = devices
        .iter()
        .any(|d| d.id == authed.device_id && d.kind == DeviceKind::Phone);
    if !on_phone {
        return Err(ApiError::new(
            ErrorCode::PhoneOnly,
            "Reset a forgotten PIN on your phone: Wallet › Payment PIN.",
        ));
    }
    state.attempt(format!("user:{}", authed.user_id)).await?;
    let user = state
        .store
        .user_row(authed.user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "Sign in again."))?;
    if !auth::verify_password(req.password, user.password_hash).await? {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "That is not your account's password.",
        ));
    }
    let hash = auth::hash_password(req.pin).await?;
    state.store.set_pin(authed.user_id, hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
