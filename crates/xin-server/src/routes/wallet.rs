//! The wallet: balance and cards, the payment PIN, top-up and withdrawal through the bank,
//! bills, and transfers between friends. Every request that moves money carries an
//! idempotency key; amounts are whole fen.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    envelope, AddCard, BankCard, BankMove, Bill, BillQuery, Bills, Envelope, ErrorBody, ErrorCode,
    MoneyTransfer, SendEnvelope, SendTransfer, SetPin, Wallet,
};

use super::contacts::path_id;
use crate::{
    auth::{self, Authed},
    error::{ApiError, ApiResult},
    extract::{self, Query},
    state::AppState,
    store::{BankRequest, NewEnvelope, NewTransfer},
    wallet::{self, bank::BankRefusal, pin},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_wallet))
        .routes(routes!(add_card))
        .routes(routes!(set_pin))
        .routes(routes!(top_up))
        .routes(routes!(withdraw))
        .routes(routes!(list_bills))
        .routes(routes!(get_bill))
        .routes(routes!(send_transfer))
        .routes(routes!(get_transfer))
        .routes(routes!(accept_transfer))
        .routes(routes!(decline_transfer))
        .routes(routes!(send_envelope))
        .routes(routes!(get_envelope))
        .routes(routes!(grab_envelope))
}

pub(super) fn key(raw: &str) -> ApiResult<String> {
    if (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(raw.to_string())
    } else {
        Err(ApiError::invalid(
            "idempotency_key: 1–64 printable ASCII characters, new for every payment",
        ))
    }
}

/// A note on a transfer or red envelope: trimmed, at most `max` characters, no control characters.
pub(super) fn note(raw: &str, max: usize) -> ApiResult<String> {
    let note = raw.trim();
    if note.chars().count() > max || note.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "note: at most {max} characters, no control characters"
        )));
    }
    Ok(note.to_string())
}

fn refused(r: BankRefusal) -> ApiError {
    match r {
        BankRefusal::InvalidNumber => {
            ApiError::invalid("number: a card number is 16–19 digits with a valid check digit")
        }
        BankRefusal::Declined(why) => ApiError::new(ErrorCode::CardDeclined, why),
    }
}

/// My balance, whether a PIN is set, and my bank cards.
#[utoipa::path(get, path = "/wallet", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, body = Wallet), (status = 401, body = ErrorBody)))]
async fn get_wallet(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Wallet>> {
    Ok(Json(state.store.wallet(authed.user_id).await?))
}

/// Add a (sandbox) bank card by its number; only its last four digits are kept.
#[utoipa::path(post, path = "/wallet/cards", tag = "wallet", security(("bearer" = [])), request_body = AddCard,
    responses((status = 200, body = BankCard), (status = 400, body = ErrorBody)))]
async fn add_card(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<AddCard>,
) -> ApiResult<Json<BankCard>> {
    let number = req.number.trim();
    let bank = state.bank.card_bank(number).map_err(refused)?;
    let last4 = number[number.len() - 4..].to_string();
    let fingerprint = blake3::hash(number.as_bytes()).to_hex().to_string();
    Ok(Json(
        state
            .store
            .add_card(authed.user_id, bank, last4, fingerprint)
            .await?,
    ))
}

/// Set the 6-digit payment PIN. Changing it needs the old one.
#[utoipa::path(put, path = "/wallet/pin", tag = "wallet", security(("bearer" = [])), request_body = SetPin,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn set_pin(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<SetPin>,
) -> ApiResult<StatusCode> {
    pin::check_format(&req.pin)?;
    if state.store.pin(authed.user_id).await?.is_some() {
        let old = req.old_pin.as_deref().ok_or_else(|| {
            ApiError::new(ErrorCode::WrongPin, "Enter your current PIN to change it.")
        })?;
        pin::verify(&state, authed.user_id, old).await?;
    }
    let hash = auth::hash_password(req.pin).await?;
    state.store.set_pin(authed.user_id, hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Money into the wallet from a card (no PIN: nothing leaves the wallet).
#[utoipa::path(post, path = "/wallet/top-up", tag = "wallet", security(("bearer" = [])), request_body = BankMove,
    responses((status = 200, body = Bill), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
      (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn top_up(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<BankMove>,
) -> ApiResult<Json<Bill>> {
    let (key, amount) = (key(&req.idempotency_key)?, wallet::amount(req.amount_fen)?);
    let card = state.store.card(authed.user_id, req.card_id).await?;
    // The bank first: the wallet is credited only for money the bank gave. A retry with the
    // same key is not charged again (the provider dedupes on it too).
    state
        .bank
        .charge(&card.last4, amount, &key)
        .await
        .map_err(refused)?;
    let request = BankRequest {
        kind: "top_up",
        card: card.id,
        amount_fen: amount,
    };
    Ok(Json(
        state.store.bank_move(authed.user_id, key, request).await?,
    ))
}

/// Money out of the wallet to a card; needs the PIN.
#[utoipa::path(post, path = "/wallet/withdraw", tag = "wallet", security(("bearer" = [])), request_body = BankMove,
    responses((status = 200, body = Bill), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn withdraw(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<BankMove>,
) -> ApiResult<Json<Bill>> {
    let (key, amount) = (key(&req.idempotency_key)?, wallet::amount(req.amount_fen)?);
    let card = state.store.card(authed.user_id, req.card_id).await?;
    pin::verify(
        &state,
        authed.user_id,
        req.pin.as_deref().unwrap_or_default(),
    )
    .await?;
    // A retry of a withdrawal whose payout was refused, and given back to the wallet, ends as
    // it ended: asking the bank again could pay out money the wallet already has back.
    let reversal_key = format!("{key}/reversal");
    if state
        .store
        .wallet_request_made(authed.user_id, reversal_key.clone())
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::CardDeclined,
            "The bank refused this withdrawal and the money is back in your wallet. Start a new withdrawal to try again.",
        ));
    }
    // The wallet first: the bank pays out only money the wallet gave up.
    let request = BankRequest {
        kind: "withdrawal",
        card: card.id,
        amount_fen: amount,
    };
    let bill = state
        .store
        .bank_move(authed.user_id, key.clone(), request)
        .await?;
    if let Err(refusal) = state.bank.payout(&card.last4, amount, &key).await {
        let reversal = BankRequest {
            kind: "withdrawal_reversal",
            card: card.id,
            amount_fen: amount,
        };
        state
            .store
            .bank_move(authed.user_id, reversal_key, reversal)
            .await?;
        return Err(refused(refusal));
    }
    Ok(Json(bill))
}

/// My bills, newest first: filter by month (`YYYY-MM`, UTC), direction (`in`/`out`) and kind.
#[utoipa::path(get, path = "/wallet/bills", tag = "wallet", security(("bearer" = [])), params(BillQuery),
    responses((status = 200, body = Bills), (status = 400, body = ErrorBody)))]
async fn list_bills(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<BillQuery>,
) -> ApiResult<Json<Bills>> {
    if !matches!(q.direction.as_deref(), None | Some("in") | Some("out")) {
        return Err(ApiError::invalid("direction: `in` or `out`"));
    }
    let range = match q.month.as_deref() {
        None => (i64::MIN, i64::MAX),
        Some(m) => {
            month_range(m).ok_or_else(|| ApiError::invalid("month: YYYY-MM, e.g. 2026-11"))?
        }
    };
    let bills = state.store.bills(authed.user_id, q, range).await?;
    Ok(Json(Bills { bills }))
}

/// The first and the past-the-last millisecond of a UTC month.
fn month_range(m: &str) -> Option<(i64, i64)> {
    let (y, mo) = m.split_once('-')?;
    if y.len() != 4 || mo.len() != 2 {
        return None;
    }
    let (y, mo): (i64, i64) = (y.parse().ok()?, mo.parse().ok()?);
    if !(1..=12).contains(&mo) {
        return None;
    }
    let (ny, nmo) = if mo == 12 { (y + 1, 1) } else { (y, mo + 1) };
    let day_ms = 86_400_000;
    Some((
        days_from_civil(y, mo) * day_ms,
        days_from_civil(ny, nmo) * day_ms,
    ))
}

/// Days from 1970-01-01 to the first of a month (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::month_range;

    #[test]
    fn a_month_is_its_utc_milliseconds() {
        // 2026-11-01T00:00:00Z and 2026-12-01T00:00:00Z.
        assert_eq!(
            month_range("2026-11"),
            Some((1_793_491_200_000, 1_796_083_200_000))
        );
        assert_eq!(month_range("2026-12").map(|r| r.1), Some(1_798_761_600_000));
        assert_eq!(month_range("1970-01").map(|r| r.0), Some(0));
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "nope"] {
            assert_eq!(month_range(bad), None, "{bad}");
        }
    }
}

/// One bill line in detail.
#[utoipa::path(get, path = "/wallet/bills/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Bill), (status = 404, body = ErrorBody)))]
async fn get_bill(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Bill>> {
    let id = path_id(&id, ErrorCode::NotFound)?;
    Ok(Json(state.store.bill(authed.user_id, id).await?))
}

/// Send money to the friend of a direct chat: held until they accept, back to me if they
/// decline or do not accept within a day. Needs the PIN.
#[utoipa::path(post, path = "/wallet/transfers", tag = "wallet", security(("bearer" = [])), request_body = SendTransfer,
    responses((status = 200, body = MoneyTransfer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn send_transfer(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<SendTransfer>,
) -> ApiResult<Json<MoneyTransfer>> {
    let (key, amount) = (key(&req.idempotency_key)?, wallet::amount(req.amount_fen)?);
    let note = note(&req.note, 50)?;
    pin::verify(&state, authed.user_id, &req.pin).await?;
    Ok(Json(
        state
            .store
            .send_transfer(NewTransfer {
                user: authed.user_id,
                device: authed.device_id,
                key,
                conv: req.conversation_id,
                amount_fen: amount,
                note,
                ttl_ms: state.transfer_ttl_ms(),
            })
            .await?,
    ))
}

/// A transfer I sent or received.
#[utoipa::path(get, path = "/wallet/transfers/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MoneyTransfer), (status = 404, body = ErrorBody)))]
async fn get_transfer(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MoneyTransfer>> {
    let id = path_id(&id, ErrorCode::TransferNotFound)?;
    Ok(Json(state.store.transfer(authed.user_id, id).await?))
}

async fn answer(
    state: AppState,
    authed: Authed,
    id: &str,
    accept: bool,
) -> ApiResult<Json<MoneyTransfer>> {
    let id: Uuid = path_id(id, ErrorCode::TransferNotFound)?;
    Ok(Json(
        state
            .store
            .answer_transfer(authed.user_id, id, accept)
            .await?,
    ))
}

/// Accept a transfer sent to me: the money is mine.
#[utoipa::path(post, path = "/wallet/transfers/{id}/accept", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MoneyTransfer), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn accept_transfer(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MoneyTransfer>> {
    answer(state, authed, &id, true).await
}

/// Decline a transfer sent to me: the money goes back.
#[utoipa::path(post, path = "/wallet/transfers/{id}/decline", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MoneyTransfer), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn decline_transfer(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MoneyTransfer>> {
    answer(state, authed, &id, false).await
}

/// Send a red envelope into a direct chat (one share) or a group: normal (equal shares) or
/// lucky (random shares). At most ¥200 and 100 shares. Needs the PIN.
#[utoipa::path(post, path = "/wallet/envelopes", tag = "wallet", security(("bearer" = [])), request_body = SendEnvelope,
    responses((status = 200, body = Envelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn send_envelope(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<SendEnvelope>,
) -> ApiResult<Json<Envelope>> {
    let key = key(&req.idempotency_key)?;
    if !envelope::splittable(req.kind, req.amount_fen, req.shares) {
        return Err(ApiError::invalid(format!(
            "amount_fen, shares: up to ¥{} in 1–{} shares of at least ¥0.01; a normal envelope's shares are equal",
            envelope::MAX_ENVELOPE_FEN / 100,
            envelope::MAX_SHARES
        )));
    }
    let note = note(&req.note, 30)?;
    pin::verify(&state, authed.user_id, &req.pin).await?;
    Ok(Json(
        state
            .store
            .send_envelope(NewEnvelope {
                user: authed.user_id,
                device: authed.device_id,
                key,
                conv: req.conversation_id,
                kind: req.kind,
                amount_fen: req.amount_fen,
                shares: req.shares,
                note,
                ttl_ms: state.transfer_ttl_ms(),
            })
            .await?,
    ))
}

/// A red envelope's details: who got how much, best luck, and (once finished) the seed that
/// reproduces the split. Members of its chat only.
#[utoipa::path(get, path = "/wallet/envelopes/{id}", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Envelope), (status = 404, body = ErrorBody)))]
async fn get_envelope(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Envelope>> {
    let id = path_id(&id, ErrorCode::EnvelopeNotFound)?;
    Ok(Json(state.store.envelope(authed.user_id, id).await?))
}

/// Open a red envelope: the next share is mine. Once per person.
#[utoipa::path(post, path = "/wallet/envelopes/{id}/grab", tag = "wallet", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Envelope), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn grab_envelope(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Envelope>> {
    let id = path_id(&id, ErrorCode::EnvelopeNotFound)?;
    Ok(Json(state.store.grab_envelope(authed.user_id, id).await?))
}
