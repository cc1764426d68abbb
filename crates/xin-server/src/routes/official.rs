//! Official accounts: create (owner), find, follow, articles (sanitised here before they are
//! stored), reactions, broadcasts within their limits, and the subscriptions feed.

use axum::{
    extract::{Path, State},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    is_blob_hash, ApiReply, Article, ArticleList, AutoReplies, Broadcast, BroadcastList, Developer,
    ErrorBody, ErrorCode, Follow, Inbox, MenuAction, NewArticle, NewBroadcast, NewOfficialAccount,
    NewOfficialQr, OfficialAccount, OfficialAccountList, OfficialChat, OfficialChatQuery,
    OfficialMenu, OfficialMessage, OfficialQr, OfficialSearch, OfficialToken, OfficialTokenRequest,
    Reaction, ScannedOfficialQr, SceneCounts, SendOfficialMessage, SetDeveloper, StaffMessage,
    MAX_ACCOUNT_INTRO, MAX_ACCOUNT_NAME, MAX_ARTICLE_BODY, MAX_ARTICLE_DIGEST, MAX_ARTICLE_TITLE,
    MAX_BROADCAST_ARTICLES, MAX_MENUS, MAX_MENU_ITEMS, OFFICIAL_TOKEN_SECS,
};

use super::contacts::path_id;
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, ClientIp, Query},
    official::sanitize,
    state::AppState,
    store::ArticleDraft,
    validate,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account, list_accounts))
        .routes(routes!(get_account))
        .routes(routes!(follow, unfollow))
        .routes(routes!(history))
        .routes(routes!(create_article, list_articles))
        .routes(routes!(get_article))
        .routes(routes!(react))
        .routes(routes!(send_broadcast))
        .routes(routes!(subscriptions))
        .routes(routes!(get_menu, set_menu))
        .routes(routes!(get_auto_replies, set_auto_replies))
        .routes(routes!(chat, message_account))
        .routes(routes!(staff_message))
        .routes(routes!(inbox))
        .routes(routes!(get_developer, set_developer))
        .routes(routes!(official_token))
        .routes(routes!(api_reply))
        .routes(routes!(create_qr))
        .routes(routes!(scan_qr))
        .routes(routes!(scenes))
}

/// The official account an API call from its own server is for (bearer: an access token from
/// `/official-tokens`).
pub(super) struct OfficialApi(pub Uuid);

impl axum::extract::FromRequestParts<AppState> for OfficialApi {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthorized,
                    "An account access token is needed.",
                )
            })?;
        Ok(Self(state.store.token_account(token.to_string()).await?))
    }
}

pub(super) fn account_id(raw: &str) -> ApiResult<Uuid> {
    path_id(raw, ErrorCode::OfficialAccountNotFound)
}

/// Trimmed text of at most `max` characters on one line (empty allowed unless `required`).
pub(super) fn line(raw: &str, max: usize, field: &str, required: bool) -> ApiResult<String> {
    let t = raw.trim();
    let n = t.chars().count();
    if (required && n == 0) || n > max || t.chars().any(char::is_control) {
        let least = if required { 1 } else { 0 };
        return Err(ApiError::invalid(format!(
            "{field}: {least}–{max} characters on one line"
        )));
    }
    Ok(t.to_string())
}

fn web_url(raw: &str, field: &str) -> ApiResult<String> {
    let u = raw.trim();
    let ok = url::Url::parse(u)
        .is_ok_and(|x| matches!(x.scheme(), "http" | "https") && x.host().is_some());
    if !ok || u.len() > 2_048 {
        return Err(ApiError::invalid(format!(
            "{field}: an http or https address"
        )));
    }
    Ok(u.to_string())
}

/// Create an official account that I own.
#[utoipa::path(post, path = "/official-accounts", tag = "official", security(("bearer" = [])), request_body = NewOfficialAccount,
    responses((status = 200, body = OfficialAccount), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_account(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(mut new): extract::Json<NewOfficialAccount>,
) -> ApiResult<Json<OfficialAccount>> {
    validate::handle(&new.handle)?;
    new.name = line(&new.name, MAX_ACCOUNT_NAME, "name", true)?;
    new.intro = line(&new.intro, MAX_ACCOUNT_INTRO, "intro", false)?;
    Ok(Json(
        state
            .store
            .create_official_account(authed.user_id, new)
            .await?,
    ))
}

/// Search accounts by name or handle; without `q`, the accounts I follow or own.
#[utoipa::path(get, path = "/official-accounts", tag = "official", security(("bearer" = [])), params(OfficialSearch),
    responses((status = 200, body = OfficialAccountList)))]
async fn list_accounts(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<OfficialSearch>,
) -> ApiResult<Json<OfficialAccountList>> {
    let q = q.q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if q.as_ref().is_some_and(|s| s.chars().count() > 64) {
        return Err(ApiError::invalid("q: at most 64 characters"));
    }
    let accounts = state.store.official_accounts(authed.user_id, q).await?;
    Ok(Json(OfficialAccountList { accounts }))
}

/// An account's profile.
#[utoipa::path(get, path = "/official-accounts/{id}", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = OfficialAccount), (status = 404, body = ErrorBody)))]
async fn get_account(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<OfficialAccount>> {
    Ok(Json(
        state
            .store
            .official_account(authed.user_id, account_id(&id)?)
            .await?,
    ))
}

/// Follow; through a QR code (`code`), its scene value is reported to the account.
#[utoipa::path(put, path = "/official-accounts/{id}/follow", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Follow,
    responses((status = 200, body = OfficialAccount), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn follow(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(body): extract::Json<Follow>,
) -> ApiResult<Json<OfficialAccount>> {
    Ok(Json(
        state
            .store
            .follow_official(authed.user_id, account_id(&id)?, true, body.code)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/official-accounts/{id}/follow", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = OfficialAccount), (status = 404, body = ErrorBody)))]
async fn unfollow(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<OfficialAccount>> {
    Ok(Json(
        state
            .store
            .follow_official(authed.user_id, account_id(&id)?, false, None)
            .await?,
    ))
}

/// The account's broadcasts to all followers, newest first (its article history).
#[utoipa::path(get, path = "/official-accounts/{id}/broadcasts", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = BroadcastList), (status = 404, body = ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<BroadcastList>> {
    Ok(Json(
        state
            .store
            .official_history(authed.user_id, account_id(&id)?)
            .await?,
    ))
}

/// Write an article (owner): the body is sanitised before it is stored.
#[utoipa::path(post, path = "/official-accounts/{id}/articles", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewArticle,
    responses((status = 200, body = Article), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_article(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(mut a): extract::Json<NewArticle>,
) -> ApiResult<Json<Article>> {
    let account = account_id(&id)?;
    a.title = line(&a.title, MAX_ARTICLE_TITLE, "title", true)?;
    a.digest = line(&a.digest, MAX_ARTICLE_DIGEST, "digest", false)?;
    a.author = line(&a.author, MAX_ACCOUNT_NAME, "author", false)?;
    if a.body_html.len() > MAX_ARTICLE_BODY {
        return Err(ApiError::invalid(format!(
            "body_html: at most {MAX_ARTICLE_BODY} bytes"
        )));
    }
    a.body_html = sanitize::clean(&a.body_html);
    if a.body_html.trim().is_empty() {
        return Err(ApiError::invalid("body_html: the article has no text"));
    }
    if a.cover.as_deref().is_some_and(|h| !is_blob_hash(h)) {
        return Err(ApiError::invalid("cover: a blob hash (64 hex digits)"));
    }
    a.source_url = a
        .source_url
        .filter(|u| !u.trim().is_empty())
        .map(|u| web_url(&u, "source_url"))
        .transpose()?;
    let pictures = sanitize::pictures(&a.body_html);
    Ok(Json(
        state
            .store
            .create_article(ArticleDraft {
                owner: authed.user_id,
                account,
                article: a,
                pictures,
            })
            .await?,
    ))
}

/// Every article of an account I own, newest first, with reads, likes and Wows (the console).
#[utoipa::path(get, path = "/official-accounts/{id}/articles", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ArticleList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_articles(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleList>> {
    let articles = state
        .store
        .articles(authed.user_id, account_id(&id)?)
        .await?;
    Ok(Json(ArticleList { articles }))
}

/// Read an article (counts a read).
#[utoipa::path(get, path = "/articles/{id}", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Article), (status = 404, body = ErrorBody)))]
async fn get_article(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Article>> {
    let id = path_id(&id, ErrorCode::ArticleNotFound)?;
    Ok(Json(state.store.read_article(authed.user_id, id).await?))
}

/// Like and "Wow" an article.
#[utoipa::path(put, path = "/articles/{id}/reaction", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Reaction,
    responses((status = 200, body = Article), (status = 404, body = ErrorBody)))]
async fn react(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(r): extract::Json<Reaction>,
) -> ApiResult<Json<Article>> {
    let id = path_id(&id, ErrorCode::ArticleNotFound)?;
    Ok(Json(
        state.store.react_article(authed.user_id, id, r).await?,
    ))
}

/// Send 1–8 of the account's articles to its followers (or to those with a tag). A
/// subscription account sends one a day; a service account reaches each follower four times a
/// month.
#[utoipa::path(post, path = "/official-accounts/{id}/broadcasts", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewBroadcast,
    responses((status = 200, body = Broadcast), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn send_broadcast(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(mut b): extract::Json<NewBroadcast>,
) -> ApiResult<Json<Broadcast>> {
    let mut seen = std::collections::HashSet::new();
    if b.articles.is_empty()
        || b.articles.len() > MAX_BROADCAST_ARTICLES
        || !b.articles.iter().all(|a| seen.insert(*a))
    {
        return Err(ApiError::invalid(format!(
            "articles: 1–{MAX_BROADCAST_ARTICLES} different articles"
        )));
    }
    b.tag = b.tag.map(|t| line(&t, 20, "tag", true)).transpose()?;
    Ok(Json(
        state
            .store
            .broadcast(authed.user_id, account_id(&id)?, b)
            .await?,
    ))
}

/// Broadcasts delivered to me, newest first.
#[utoipa::path(get, path = "/subscriptions", tag = "official", security(("bearer" = [])),
    responses((status = 200, body = BroadcastList)))]
async fn subscriptions(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<BroadcastList>> {
    Ok(Json(state.store.subscriptions(authed.user_id).await?))
}

/// A chat message or reply: 1–2 000 characters.
fn message_text(raw: &str, field: &str) -> ApiResult<String> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 || n > 2_000 || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(format!(
            "{field}: 1–2000 characters, no control characters but line breaks"
        )));
    }
    Ok(t.to_string())
}

fn check_menu(mut m: OfficialMenu) -> ApiResult<OfficialMenu> {
    if m.menus.len() > MAX_MENUS {
        return Err(ApiError::invalid(format!("menus: at most {MAX_MENUS}")));
    }
    for menu in &mut m.menus {
        menu.name = line(&menu.name, 16, "menus.name", true)?;
        if menu.items.is_empty() || menu.items.len() > MAX_MENU_ITEMS {
            return Err(ApiError::invalid(format!(
                "menus.items: 1–{MAX_MENU_ITEMS} in each menu"
            )));
        }
        for item in &mut menu.items {
            item.name = line(&item.name, 16, "menus.items.name", true)?;
            match &mut item.action {
                MenuAction::Keyword { keyword } => *keyword = line(keyword, 30, "keyword", true)?,
                MenuAction::Link { url } => *url = web_url(url, "url")?,
                MenuAction::Article { .. } | MenuAction::MiniProgram { .. } => {}
            }
        }
    }
    Ok(m)
}

/// The menu under the account's chat.
#[utoipa::path(get, path = "/official-accounts/{id}/menu", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = OfficialMenu), (status = 404, body = ErrorBody)))]
async fn get_menu(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<OfficialMenu>> {
    Ok(Json(
        state
            .store
            .official_menu(authed.user_id, account_id(&id)?)
            .await?,
    ))
}

/// Set the menu (owner): up to 3 menus of up to 5 items; an item answers a keyword, opens one
/// of the account's articles, or opens a web page.
#[utoipa::path(put, path = "/official-accounts/{id}/menu", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OfficialMenu,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_menu(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(menu): extract::Json<OfficialMenu>,
) -> ApiResult<axum::http::StatusCode> {
    let menu = check_menu(menu)?;
    let account = account_id(&id)?;
    // A menu opens only the account's own mini-programs.
    let own = state
        .store
        .account_mini_programs(authed.user_id, account)
        .await?;
    let foreign = menu.menus.iter().flat_map(|m| &m.items).any(|i| {
        matches!(i.action, MenuAction::MiniProgram { mini_program_id }
            if !own.iter().any(|p| p.id == mini_program_id))
    });
    if foreign {
        return Err(ApiError::new(
            ErrorCode::MiniProgramNotFound,
            "A menu item opens a mini-program this account does not publish.",
        ));
    }
    state
        .store
        .set_official_menu(authed.user_id, account, menu)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/official-accounts/{id}/auto-replies", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = AutoReplies), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_auto_replies(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<AutoReplies>> {
    Ok(Json(
        state
            .store
            .auto_replies(authed.user_id, account_id(&id)?)
            .await?,
    ))
}

/// Set the automatic answers (owner): to new followers, to keywords, and by default.
#[utoipa::path(put, path = "/official-accounts/{id}/auto-replies", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AutoReplies,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_auto_replies(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(mut r): extract::Json<AutoReplies>,
) -> ApiResult<axum::http::StatusCode> {
    if r.keywords.len() > 50 {
        return Err(ApiError::invalid("keywords: at most 50"));
    }
    r.on_follow = r
        .on_follow
        .filter(|t| !t.trim().is_empty())
        .map(|t| message_text(&t, "on_follow"))
        .transpose()?;
    r.default = r
        .default
        .filter(|t| !t.trim().is_empty())
        .map(|t| message_text(&t, "default"))
        .transpose()?;
    for k in &mut r.keywords {
        k.keyword = line(&k.keyword, 30, "keywords.keyword", true)?;
        k.reply = message_text(&k.reply, "keywords.reply")?;
    }
    state
        .store
        .set_auto_replies(authed.user_id, account_id(&id)?, r)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// My chat with the account (the owner passes `user` for a follower's), oldest first, with the
/// menu.
#[utoipa::path(get, path = "/official-accounts/{id}/messages", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path), OfficialChatQuery),
    responses((status = 200, body = OfficialChat), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn chat(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Query(q): Query<OfficialChatQuery>,
) -> ApiResult<Json<OfficialChat>> {
    Ok(Json(
        state
            .store
            .official_chat(authed.user_id, account_id(&id)?, q.user)
            .await?,
    ))
}

/// Write to the account (followers only), or tap a menu keyword; answers with what was added
/// to the chat (the message, and the automatic answer if any).
#[utoipa::path(post, path = "/official-accounts/{id}/messages", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SendOfficialMessage,
    responses((status = 200, body = Vec<OfficialMessage>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
      (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn message_account(
    State(state): State<AppState>,
    authed: Authed,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    extract::Json(mut m): extract::Json<SendOfficialMessage>,
) -> ApiResult<Json<Vec<OfficialMessage>>> {
    m.text = message_text(&m.text, "text")?;
    state
        .limits
        .official_message(&authed.user_id.to_string(), &ip)?;
    Ok(Json(
        state
            .store
            .message_account(authed.user_id, account_id(&id)?, m)
            .await?,
    ))
}

/// The account's staff answer a follower (owner), within 48 hours of the follower's last
/// message.
#[utoipa::path(post, path = "/official-accounts/{id}/followers/{user}/messages", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = String, Path)), request_body = StaffMessage,
    responses((status = 200, body = OfficialMessage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn staff_message(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, user)): Path<(String, String)>,
    extract::Json(m): extract::Json<StaffMessage>,
) -> ApiResult<Json<OfficialMessage>> {
    let text = message_text(&m.text, "text")?;
    let user = path_id(&user, ErrorCode::UserNotFound)?;
    Ok(Json(
        state
            .store
            .staff_message(authed.user_id, account_id(&id)?, user, text)
            .await?,
    ))
}

/// Followers' chats with the account, newest first (owner).
#[utoipa::path(get, path = "/official-accounts/{id}/inbox", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Inbox), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn inbox(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Inbox>> {
    Ok(Json(
        state.store.inbox(authed.user_id, account_id(&id)?).await?,
    ))
}

/// Developer mode (owner): the webhook address and the secret that signs deliveries and buys
/// access tokens (made the first time this is asked).
#[utoipa::path(get, path = "/official-accounts/{id}/developer", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Developer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_developer(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Developer>> {
    Ok(Json(
        state
            .store
            .developer(authed.user_id, account_id(&id)?)
            .await?,
    ))
}

/// Set or clear the webhook (owner). Followers' messages, menu keywords, follows and unfollows
/// are posted to it as `WebhookEvent`s with the headers `x-xin-delivery` (the same on
/// retries: deduplicate by it), `x-xin-timestamp`, `x-xin-nonce` and `x-xin-signature`: hex
/// HMAC-SHA256 keyed with the secret over `timestamp \n nonce \n body`. Answer 2xx within 5 s,
/// or the delivery is retried 3 times (1, 2 and 4 s later).
#[utoipa::path(put, path = "/official-accounts/{id}/developer", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SetDeveloper,
    responses((status = 200, body = Developer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_developer(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(d): extract::Json<SetDeveloper>,
) -> ApiResult<Json<Developer>> {
    let url = match d.webhook_url.filter(|u| !u.trim().is_empty()) {
        Some(u) => {
            let u = web_url(&u, "webhook_url")?;
            crate::outbound::allowed(&u, state.config.webhook_private_hosts)
                .await
                .map_err(|e| ApiError::invalid(format!("webhook_url: {e}")))?;
            Some(u)
        }
        None => None,
    };
    Ok(Json(
        state
            .store
            .set_webhook(authed.user_id, account_id(&id)?, url)
            .await?,
    ))
}

/// The account's own server trades its secret for an access token that lives 2 hours.
#[utoipa::path(post, path = "/official-tokens", tag = "official", request_body = OfficialTokenRequest,
    responses((status = 200, body = OfficialToken), (status = 401, body = ErrorBody)))]
async fn official_token(
    State(state): State<AppState>,
    extract::Json(r): extract::Json<OfficialTokenRequest>,
) -> ApiResult<Json<OfficialToken>> {
    let access_token = state.store.official_token(r.account_id, r.secret).await?;
    Ok(Json(OfficialToken {
        access_token,
        expires_in: OFFICIAL_TOKEN_SECS,
    }))
}

/// Reply to a follower from the account's server (bearer: an access token from
/// `/official-tokens`), within 48 hours of the follower's last message.
#[utoipa::path(post, path = "/official-api/messages", tag = "official", security(("bearer" = [])), request_body = ApiReply,
    responses((status = 200, body = OfficialMessage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn api_reply(
    State(state): State<AppState>,
    OfficialApi(account): OfficialApi,
    extract::Json(r): extract::Json<ApiReply>,
) -> ApiResult<Json<OfficialMessage>> {
    let text = message_text(&r.text, "text")?;
    Ok(Json(state.store.api_reply(account, r.user_id, text).await?))
}

/// A QR code to follow the account by (owner), with an optional scene value and expiry.
#[utoipa::path(post, path = "/official-accounts/{id}/qr-codes", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewOfficialQr,
    responses((status = 200, body = OfficialQr), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_qr(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(q): extract::Json<NewOfficialQr>,
) -> ApiResult<Json<OfficialQr>> {
    let scene = q
        .scene
        .filter(|s| !s.trim().is_empty())
        .map(|s| line(&s, 64, "scene", true))
        .transpose()?;
    if q.expires_in
        .is_some_and(|s| !(60..=30 * 86_400).contains(&s))
    {
        return Err(ApiError::invalid("expires_in: 60 s to 30 days"));
    }
    let expires_at = q.expires_in.map(|s| crate::time::now_ms() + s * 1000);
    let code = state
        .store
        .create_official_qr(authed.user_id, account_id(&id)?, scene.clone(), expires_at)
        .await?;
    Ok(Json(OfficialQr {
        url: format!("{}/m/oa/{code}", state.public_url),
        code,
        scene,
        expires_at,
    }))
}

/// What a scanned account code leads to (the phone shows the account and a Follow button).
#[utoipa::path(get, path = "/official-qr/{code}", tag = "official", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = ScannedOfficialQr), (status = 410, body = ErrorBody)))]
async fn scan_qr(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
) -> ApiResult<Json<ScannedOfficialQr>> {
    Ok(Json(
        state.store.scan_official_qr(authed.user_id, code).await?,
    ))
}

/// Followers by the scene of the code they followed through (owner).
#[utoipa::path(get, path = "/official-accounts/{id}/scenes", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = SceneCounts), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn scenes(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<SceneCounts>> {
    Ok(Json(
        state
            .store
            .official_scenes(authed.user_id, account_id(&id)?)
            .await?,
    ))
}
