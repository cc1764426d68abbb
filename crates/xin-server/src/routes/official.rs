//! Official accounts: create (owner), find, follow, articles (sanitised here before they are
//! stored), reactions, broadcasts within their limits, and the subscriptions feed.

use axum::{
    extract::{Path, State},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    is_blob_hash, Article, ArticleList, Broadcast, BroadcastList, ErrorBody, ErrorCode, Follow,
    FollowerTags, NewArticle, NewBroadcast, NewOfficialAccount, OfficialAccount,
    OfficialAccountList, OfficialSearch, Reaction, MAX_ACCOUNT_INTRO, MAX_ACCOUNT_NAME,
    MAX_ARTICLE_BODY, MAX_ARTICLE_DIGEST, MAX_ARTICLE_TITLE, MAX_BROADCAST_ARTICLES,
};

use super::contacts::path_id;
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, Query},
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
        .routes(routes!(tag_follower))
}

fn account_id(raw: &str) -> ApiResult<Uuid> {
    path_id(raw, ErrorCode::OfficialAccountNotFound)
}

/// Trimmed text of at most `max` characters on one line (empty allowed unless `required`).
fn line(raw: &str, max: usize, field: &str, required: bool) -> ApiResult<String> {
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

/// Follow (a QR code's scene value, if followed through one, is kept for the account).
#[utoipa::path(put, path = "/official-accounts/{id}/follow", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Follow,
    responses((status = 200, body = OfficialAccount), (status = 404, body = ErrorBody)))]
async fn follow(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(body): extract::Json<Follow>,
) -> ApiResult<Json<OfficialAccount>> {
    let scene = body
        .scene
        .map(|s| line(&s, 64, "scene", true))
        .transpose()?;
    Ok(Json(
        state
            .store
            .follow_official(authed.user_id, account_id(&id)?, true, scene)
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

/// The account's tags for one follower (owner), used to target broadcasts.
#[utoipa::path(put, path = "/official-accounts/{id}/followers/{user}/tags", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = String, Path)), request_body = FollowerTags,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn tag_follower(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, user)): Path<(String, String)>,
    extract::Json(t): extract::Json<FollowerTags>,
) -> ApiResult<axum::http::StatusCode> {
    if t.tags.len() > 20 {
        return Err(ApiError::invalid("tags: at most 20"));
    }
    let tags = t
        .tags
        .iter()
        .map(|x| line(x, 20, "tags", true))
        .collect::<ApiResult<Vec<_>>>()?;
    let user = path_id(&user, ErrorCode::UserNotFound)?;
    state
        .store
        .set_follower_tags(authed.user_id, account_id(&id)?, user, tags)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
