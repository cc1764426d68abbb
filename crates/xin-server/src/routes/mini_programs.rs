//! Mini-programs: publishing (the account's owner uploads a zip), finding and opening them,
//! signed packages, login codes and orders; and the calls a mini-program's own backend makes
//! with its account's access token.

use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    CodeExchange, ErrorBody, ErrorCode, LoginCode, MiniProgram, MiniProgramList, MiniProgramOrder,
    MiniProgramRequest, MiniProgramResponse, MiniProgramSession, NewOrder, PayOrder, SigningKey,
    MAX_ORDER_DESCRIPTION, MAX_PACKAGE,
};

use super::{
    contacts::path_id,
    official::{account_id, line, OfficialApi},
};
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract,
    mini_program::check_package,
    state::AppState,
    wallet::{self, pin},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publish, account_list))
        .routes(routes!(signing_key))
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(open))
        .routes(routes!(pin_it, unpin))
        .routes(routes!(package))
        .routes(routes!(login_code))
        .routes(routes!(exchange))
        .routes(routes!(create_order))
        .routes(routes!(backend_order))
        .routes(routes!(payer_order))
        .routes(routes!(pay_order))
        .routes(routes!(bridge_js))
        .routes(routes!(file))
        .routes(routes!(request))
}

/// The sandbox a package's files are served into: an origin of their own (opaque), their own
/// scripts only, no network but through the bridge.
const FILE_CSP: &str = "sandbox allow-scripts; default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
    font-src 'self' data:; connect-src 'none'; frame-src 'none'; object-src 'none'; \
    base-uri 'none'; form-action 'none'";

/// `window.xin` for mini-program pages on the phone (see `xin_proto::BRIDGE_JS`).
#[utoipa::path(get, path = "/mini-programs/bridge.js", tag = "mini-programs",
    responses((status = 200, content_type = "text/javascript", body = String)))]
async fn bridge_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        xin_proto::BRIDGE_JS,
    )
        .into_response()
}

/// A page's HTML with the bridge put in before anything of its own.
fn with_bridge(html: &[u8]) -> Vec<u8> {
    const TAG: &[u8] = b"<script src=\"/api/v1/mini-programs/bridge.js\"></script>";
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(6)
        .position(|w| w == b"<head>")
        .map_or(0, |i| i + 6);
    [&html[..at], TAG, &html[at..]].concat()
}

/// A file of a published version, for the phone's sandboxed frame. Public (the frame has no
/// credentials); served with a CSP that sandboxes it wherever it is opened.
#[utoipa::path(get, path = "/mini-programs/{id}/files/{version}/{*path}", tag = "mini-programs",
    params(("id" = String, Path), ("version" = String, Path), ("path" = String, Path)),
    responses((status = 200, body = Vec<u8>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn file(
    State(state): State<AppState>,
    Path((id, version, path)): Path<(String, String, String)>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let missing = || ApiError::new(ErrorCode::NotFound, "There is no such file.");
    // A mini-program's pages run only inside Xin's sandboxed frame. Opened as a page of its
    // own they would sit on Xin's origin, so browsers' navigations to them are refused.
    if headers
        .get("sec-fetch-dest")
        .is_some_and(|d| d.as_bytes() == b"document")
    {
        return Err(ApiError::new(
            ErrorCode::NotAllowed,
            "Mini-program pages open inside Xin, not on their own.",
        ));
    }
    let bytes = state
        .package_files
        .file(&state.store, program_id(&id)?, version, &path)
        .await?
        .ok_or_else(missing)?;
    let media = xin_proto::package_media_type(&path);
    let body = if media.starts_with("text/html") {
        with_bridge(&bytes)
    } else {
        bytes
    };
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (header::CONTENT_SECURITY_POLICY, FILE_CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response())
}

/// `xin.request()` for a mini-program on the phone: the server carries it out, to the
/// manifest's domains only (HTTPS), never into its own network.
#[utoipa::path(post, path = "/mini-programs/{id}/request", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = MiniProgramRequest,
    responses((status = 200, body = MiniProgramResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn request(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(r): extract::Json<MiniProgramRequest>,
) -> ApiResult<Json<MiniProgramResponse>> {
    state
        .limits
        .mini_program_request(&authed.user_id.to_string())?;
    let program = state
        .store
        .mini_program(authed.user_id, program_id(&id)?)
        .await?;
    Ok(Json(
        crate::mini_program::carry_out(&program.domains, state.config.webhook_private_hosts, r)
            .await?,
    ))
}

fn program_id(raw: &str) -> ApiResult<Uuid> {
    path_id(raw, ErrorCode::MiniProgramNotFound)
}

fn app_id(raw: &str) -> ApiResult<String> {
    if (3..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(raw.to_string())
    } else {
        Err(ApiError::new(
            ErrorCode::MiniProgramNotFound,
            "There is no such mini-program.",
        ))
    }
}

/// Publish a new version (owner): the body is the package, a zip with `app.json` at its root
/// (at most 32 MiB; the main package at most 4 MiB). The first upload of a manifest id creates
/// the mini-program. The server checks and signs it.
#[utoipa::path(post, path = "/official-accounts/{id}/mini-programs", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Vec<u8>, content_type = "application/zip"),
    responses((status = 200, body = MiniProgram), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
      (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
      (status = 507, body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<MiniProgram>> {
    let account = account_id(&id)?;
    let limit = usize::try_from(MAX_PACKAGE).unwrap_or(usize::MAX);
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "A mini-program package is at most 32 MiB.",
        )
    })?;
    // `Bytes` clones share the buffer: the package is copied once, into the store's row.
    let checked = tokio::task::spawn_blocking({
        let bytes = bytes.clone();
        move || check_package(&bytes)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let bytes = bytes.to_vec();
    let (version, hash) = (checked.manifest.version.clone(), checked.hash.clone());
    // A first version gets its id inside the write, so the write signs.
    let signer = state.signer().await?.clone();
    let sign = Box::new(move |program: Uuid| signer.sign(program, &version, &hash));
    Ok(Json(
        state
            .store
            .publish_mini_program(
                authed.user_id,
                account,
                checked,
                bytes,
                state.config.quota_bytes,
                sign,
            )
            .await?,
    ))
}

/// The account's mini-programs (owner).
#[utoipa::path(get, path = "/official-accounts/{id}/mini-programs", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = MiniProgramList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn account_list(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MiniProgramList>> {
    let mini_programs = state
        .store
        .account_mini_programs(authed.user_id, account_id(&id)?)
        .await?;
    Ok(Json(MiniProgramList { mini_programs }))
}

/// The public key packages are signed with (Ed25519, base64).
#[utoipa::path(get, path = "/mini-programs/signing-key", tag = "mini-programs",
    responses((status = 200, body = SigningKey)))]
async fn signing_key(State(state): State<AppState>) -> ApiResult<Json<SigningKey>> {
    Ok(Json(SigningKey {
        public_key: state.signer().await?.public_key(),
    }))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Search every mini-program by name or id; without it, mine (pinned, then recent).
    q: Option<String>,
}

/// Mine (pinned first, then recently used), or a search of all of them.
#[utoipa::path(get, path = "/mini-programs", tag = "mini-programs", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = MiniProgramList), (status = 400, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<MiniProgramList>> {
    let search = match q.q.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(line(s, 32, "q", true)?),
    };
    let mini_programs = state.store.mini_programs(authed.user_id, search).await?;
    Ok(Json(MiniProgramList { mini_programs }))
}

#[utoipa::path(get, path = "/mini-programs/{id}", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MiniProgram), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MiniProgram>> {
    Ok(Json(
        state
            .store
            .mini_program(authed.user_id, program_id(&id)?)
            .await?,
    ))
}

/// I opened it: it moves to the top of my recently used.
#[utoipa::path(post, path = "/mini-programs/{id}/open", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MiniProgram), (status = 404, body = ErrorBody)))]
async fn open(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MiniProgram>> {
    Ok(Json(
        state
            .store
            .open_mini_program(authed.user_id, program_id(&id)?)
            .await?,
    ))
}

#[utoipa::path(put, path = "/mini-programs/{id}/pin", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MiniProgram), (status = 404, body = ErrorBody)))]
async fn pin_it(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MiniProgram>> {
    Ok(Json(
        state
            .store
            .pin_mini_program(authed.user_id, program_id(&id)?, true)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/mini-programs/{id}/pin", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MiniProgram), (status = 404, body = ErrorBody)))]
async fn unpin(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MiniProgram>> {
    Ok(Json(
        state
            .store
            .pin_mini_program(authed.user_id, program_id(&id)?, false)
            .await?,
    ))
}

#[derive(Deserialize, IntoParams, ToSchema)]
struct PackageQuery {
    /// A published version; the current one without it.
    version: Option<String>,
}

/// The package's zip, with its version, hash and signature in `x-xin-version`, `x-xin-hash`
/// and `x-xin-signature`: check the signature before running it.
#[utoipa::path(get, path = "/mini-programs/{id}/package", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path), PackageQuery),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = ErrorBody)))]
async fn package(
    State(state): State<AppState>,
    _authed: Authed,
    Path(id): Path<String>,
    Query(q): Query<PackageQuery>,
) -> ApiResult<Response> {
    let p = state
        .store
        .mini_program_package(program_id(&id)?, q.version)
        .await?;
    let header = |v: &str| HeaderValue::from_str(v).map_err(|e| ApiError::Internal(e.to_string()));
    let mut response = Bytes::from(p.bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert("x-xin-version", header(&p.release.version)?);
    h.insert("x-xin-hash", header(&p.release.hash)?);
    h.insert("x-xin-signature", header(&p.release.signature)?);
    Ok(response)
}

/// `xin.login()`: a one-time code (5 minutes) for the mini-program's backend to exchange.
#[utoipa::path(post, path = "/mini-programs/{id}/login-codes", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = LoginCode), (status = 404, body = ErrorBody)))]
async fn login_code(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<LoginCode>> {
    Ok(Json(
        state
            .store
            .mini_program_login_code(authed.user_id, program_id(&id)?)
            .await?,
    ))
}

/// The backend trades a login code, once, for the user's openid in this mini-program.
#[utoipa::path(post, path = "/official-api/mini-programs/{app_id}/sessions", tag = "mini-programs", security(("bearer" = [])),
    params(("app_id" = String, Path)), request_body = CodeExchange,
    responses((status = 200, body = MiniProgramSession), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
      (status = 410, body = ErrorBody)))]
async fn exchange(
    State(state): State<AppState>,
    OfficialApi(account): OfficialApi,
    Path(app): Path<String>,
    extract::Json(r): extract::Json<CodeExchange>,
) -> ApiResult<Json<MiniProgramSession>> {
    let app = app_id(&app)?;
    if r.code.is_empty() || r.code.len() > 64 {
        return Err(ApiError::new(
            ErrorCode::LoginCodeInvalid,
            "This login code is unknown.",
        ));
    }
    let signer = state.signer().await?.clone();
    let openid = Box::new(move |program: Uuid, user: Uuid| signer.openid(program, user));
    let openid = state
        .store
        .exchange_login_code(account, app, r.code, openid)
        .await?;
    Ok(Json(MiniProgramSession { openid }))
}

fn out_trade_no(raw: &str) -> ApiResult<String> {
    if (1..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(raw.to_string())
    } else {
        Err(ApiError::invalid(
            "out_trade_no: 1–32 letters, digits, - or _",
        ))
    }
}

/// The backend creates an order for one of its users; the user pays it in Xin. The amount and
/// description cannot change afterwards.
#[utoipa::path(post, path = "/official-api/mini-programs/{app_id}/orders", tag = "mini-programs", security(("bearer" = [])),
    params(("app_id" = String, Path)), request_body = NewOrder,
    responses((status = 200, body = MiniProgramOrder), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_order(
    State(state): State<AppState>,
    OfficialApi(account): OfficialApi,
    Path(app): Path<String>,
    extract::Json(mut r): extract::Json<NewOrder>,
) -> ApiResult<Json<MiniProgramOrder>> {
    let app = app_id(&app)?;
    r.amount_fen = wallet::amount(r.amount_fen)?;
    r.description = line(&r.description, MAX_ORDER_DESCRIPTION, "description", true)?;
    r.out_trade_no = out_trade_no(&r.out_trade_no)?;
    if r.openid.is_empty() || r.openid.len() > 64 {
        return Err(ApiError::invalid("openid: from a login code exchange"));
    }
    Ok(Json(state.store.create_order(account, app, r).await?))
}

/// An order as its backend sees it (to check that it was paid).
#[utoipa::path(get, path = "/official-api/mini-programs/{app_id}/orders/{id}", tag = "mini-programs", security(("bearer" = [])),
    params(("app_id" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = MiniProgramOrder), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn backend_order(
    State(state): State<AppState>,
    OfficialApi(account): OfficialApi,
    Path((app, id)): Path<(String, String)>,
) -> ApiResult<Json<MiniProgramOrder>> {
    let id = path_id(&id, ErrorCode::OrderNotFound)?;
    Ok(Json(
        state
            .store
            .backend_order(account, app_id(&app)?, id)
            .await?,
    ))
}

/// An order as its payer sees it before paying: amount, payee, what for.
#[utoipa::path(get, path = "/mini-program-orders/{id}", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MiniProgramOrder), (status = 404, body = ErrorBody)))]
async fn payer_order(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<MiniProgramOrder>> {
    let id = path_id(&id, ErrorCode::OrderNotFound)?;
    Ok(Json(state.store.payer_order(authed.user_id, id).await?))
}

/// Pay an order with the PIN. Paying an order already paid answers it again and moves no money.
#[utoipa::path(post, path = "/mini-program-orders/{id}/pay", tag = "mini-programs", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PayOrder,
    responses((status = 200, body = MiniProgramOrder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
      (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn pay_order(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(r): extract::Json<PayOrder>,
) -> ApiResult<Json<MiniProgramOrder>> {
    let id = path_id(&id, ErrorCode::OrderNotFound)?;
    // Only the payer's own order: anyone else learns nothing, not even that the PIN was wrong.
    state.store.payer_order(authed.user_id, id).await?;
    pin::verify(&state, authed.user_id, &r.pin).await?;
    Ok(Json(state.store.pay_order(authed.user_id, id).await?))
}
