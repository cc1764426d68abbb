//! QR payments and the PIN's reset from the phone: who a receive code pays, paying it, one-time
//! payment codes, and a merchant charging one.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{
    Collect, DeviceKind, ErrorBody, ErrorCode, NewPaymentCode, Pay, Payee, Payment, PaymentCode,
    ResetPin,
};

use super::wallet::{key, note};
use crate::{
    auth::{self, Authed},
    error::{ApiError, ApiResult},
    extract,
    state::AppState,
    store::{NewPayment, Payer, PinCheck},
    wallet::{self, pin},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(payee))
        .routes(routes!(pay))
        .routes(routes!(new_payment_code))
        .routes(routes!(collect))
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

/// A merchant charges a customer's payment code: the money moves from their wallet to mine.
#[utoipa::path(post, path = "/wallet/collect", tag = "wallet", security(("bearer" = [])), request_body = Collect,
    responses((status = 200, body = Payment), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
      (status = 410, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn collect(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<Collect>,
) -> ApiResult<Json<Payment>> {
    let (key, amount) = (key(&req.idempotency_key)?, wallet::amount(req.amount_fen)?);
    let note = note(&req.note, 50)?;
    let code = req.code.trim().to_string();
    if code.len() != 18 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("code: a payment code is 18 digits"));
    }
    state.limits.collect(&authed.user_id.to_string())?;
    Ok(Json(
        state
            .store
            .pay(
                NewPayment {
                    by: authed.user_id,
                    key,
                    payer: Payer::Code(code),
                    payee: authed.user_id,
                    amount_fen: amount,
                    note,
                },
                None,
            )
            .await?
            .ok_or_else(|| ApiError::Internal("payment code charge undecided".into()))?,
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
    state.limits.attempt(format!("user:{}", authed.user_id))?;
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
