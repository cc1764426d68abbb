//! Moments: posting, the timeline and albums, likes and comments, per-person rules, the album
//! window, and contact tags. Who sees what is decided by the store (see `store::moments`).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    is_blob_hash, ContactTags, ErrorBody, ErrorCode, LinkCard, MomentsSettings, NewComment,
    NewPost, PersonMoments, Post, PostPage, PostPageQuery, Visibility, MAX_COMMENT_CHARS,
    MAX_LINK_DESCRIPTION, MAX_LINK_TITLE, MAX_LINK_URL, MAX_POST_CHARS, MAX_POST_IMAGES,
};

use super::contacts::path_id;
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, Query},
    state::AppState,
    store::PostDraft,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_post, timeline))
        .routes(routes!(get_post, delete_post))
        .routes(routes!(album))
        .routes(routes!(like, unlike))
        .routes(routes!(comment))
        .routes(routes!(delete_comment))
        .routes(routes!(get_settings, set_settings))
        .routes(routes!(get_person, set_person))
        .routes(routes!(set_tags))
}

const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 20;

fn text(raw: &str, max: usize, field: &str) -> ApiResult<String> {
    let t = raw.trim();
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(format!(
            "{field}: at most {max} characters, no control characters but line breaks"
        )));
    }
    Ok(t.to_string())
}

fn tags(raw: &[String]) -> ApiResult<Vec<String>> {
    if raw.len() > MAX_TAGS {
        return Err(ApiError::invalid(format!("tags: at most {MAX_TAGS}")));
    }
    raw.iter()
        .map(|t| {
            let t = t.trim();
            if t.is_empty() || t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control)
            {
                Err(ApiError::invalid(format!(
                    "tags: 1–{MAX_TAG_CHARS} characters each"
                )))
            } else {
                Ok(t.to_string())
            }
        })
        .collect()
}

fn link_card(mut link: LinkCard) -> ApiResult<LinkCard> {
    link.url = link.url.trim().to_string();
    let web = url::Url::parse(&link.url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !web || link.url.len() > MAX_LINK_URL {
        return Err(ApiError::invalid(format!(
            "link.url: an http or https address of at most {MAX_LINK_URL} bytes"
        )));
    }
    link.title = text(&link.title, MAX_LINK_TITLE, "link.title")?.replace('\n', " ");
    if link.title.is_empty() {
        link.title = link.url.clone();
    }
    link.description = text(&link.description, MAX_LINK_DESCRIPTION, "link.description")?;
    if link.image.as_deref().is_some_and(|h| !is_blob_hash(h)) {
        return Err(ApiError::invalid("link.image: a blob hash (64 hex digits)"));
    }
    Ok(link)
}

fn page_limit(q: &PostPageQuery) -> ApiResult<u32> {
    match q.limit {
        None => Ok(20),
        Some(n) if (1..=50).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid("limit: 1–50")),
    }
}

fn post_id(raw: &str) -> ApiResult<Uuid> {
    path_id(raw, ErrorCode::PostNotFound)
}

/// Post text (up to 2 000 characters) and up to 9 images I uploaded, for all friends, only me,
/// only chosen friends/tags, or all but chosen friends/tags.
#[utoipa::path(post, path = "/moments", tag = "moments", security(("bearer" = [])), request_body = NewPost,
    responses((status = 200, body = Post), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_post(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(mut post): extract::Json<NewPost>,
) -> ApiResult<Json<Post>> {
    post.text = text(&post.text, MAX_POST_CHARS, "text")?;
    post.tags = tags(&post.tags)?;
    if post.images.len() > MAX_POST_IMAGES || !post.images.iter().all(|h| is_blob_hash(h)) {
        return Err(ApiError::invalid(format!(
            "images: at most {MAX_POST_IMAGES} blob hashes (64 hex digits)"
        )));
    }
    if let Some(link) = post.link.take() {
        if !post.images.is_empty() {
            return Err(ApiError::invalid(
                "images, link: a post shares pictures or a link, not both",
            ));
        }
        post.link = Some(link_card(link)?);
    }
    if post.text.is_empty() && post.images.is_empty() && post.link.is_none() {
        return Err(ApiError::invalid(
            "text, images, link: a post needs words, a picture or a link",
        ));
    }
    let chooses = matches!(post.visibility, Visibility::Only | Visibility::Except);
    let chosen = !(post.users.is_empty() && post.tags.is_empty());
    if chooses && !chosen {
        return Err(ApiError::invalid(
            "users, tags: choose the friends or tags this post is for (or hidden from)",
        ));
    }
    if !chooses && chosen {
        return Err(ApiError::invalid(
            "users, tags: only for visibility `only` or `except`",
        ));
    }
    Ok(Json(
        state
            .store
            .create_post(PostDraft {
                author: authed.user_id,
                post,
            })
            .await?,
    ))
}

/// My timeline: my posts and my friends' that I may see, newest first.
#[utoipa::path(get, path = "/moments", tag = "moments", security(("bearer" = [])), params(PostPageQuery),
    responses((status = 200, body = PostPage), (status = 400, body = ErrorBody)))]
async fn timeline(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<PostPageQuery>,
) -> ApiResult<Json<PostPage>> {
    let limit = page_limit(&q)?;
    Ok(Json(
        state
            .store
            .timeline(authed.user_id, q.before, limit)
            .await?,
    ))
}

/// Someone's album: their posts I may see, newest first.
#[utoipa::path(get, path = "/users/{id}/moments", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path), PostPageQuery), responses((status = 200, body = PostPage), (status = 400, body = ErrorBody)))]
async fn album(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Query(q): Query<PostPageQuery>,
) -> ApiResult<Json<PostPage>> {
    let author = path_id(&id, ErrorCode::UserNotFound)?;
    let limit = page_limit(&q)?;
    Ok(Json(
        state
            .store
            .album(authed.user_id, author, q.before, limit)
            .await?,
    ))
}

#[utoipa::path(get, path = "/moments/{id}", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Post), (status = 404, body = ErrorBody)))]
async fn get_post(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Post>> {
    Ok(Json(state.store.post(authed.user_id, post_id(&id)?).await?))
}

/// Delete my post: gone for everyone, and its pictures with it.
#[utoipa::path(delete, path = "/moments/{id}", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_post(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .delete_post(authed.user_id, post_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/moments/{id}/like", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Post), (status = 404, body = ErrorBody)))]
async fn like(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Post>> {
    Ok(Json(
        state
            .store
            .like(authed.user_id, post_id(&id)?, true)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/moments/{id}/like", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Post), (status = 404, body = ErrorBody)))]
async fn unlike(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Post>> {
    Ok(Json(
        state
            .store
            .like(authed.user_id, post_id(&id)?, false)
            .await?,
    ))
}

/// Comment on a post, or reply to a comment I can see.
#[utoipa::path(post, path = "/moments/{id}/comments", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewComment,
    responses((status = 200, body = Post), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn comment(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(mut new): extract::Json<NewComment>,
) -> ApiResult<Json<Post>> {
    new.text = text(&new.text, MAX_COMMENT_CHARS, "text")?;
    if new.text.is_empty() {
        return Err(ApiError::invalid("text: a comment needs words"));
    }
    Ok(Json(
        state
            .store
            .comment(authed.user_id, post_id(&id)?, new)
            .await?,
    ))
}

/// Delete my comment, or any comment on my post.
#[utoipa::path(delete, path = "/moments/{id}/comments/{comment}", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path), ("comment" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_comment(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, comment)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let comment = path_id(&comment, ErrorCode::CommentNotFound)?;
    state
        .store
        .delete_comment(authed.user_id, post_id(&id)?, comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How far back friends may look in my Moments.
#[utoipa::path(get, path = "/moments/settings", tag = "moments", security(("bearer" = [])),
    responses((status = 200, body = MomentsSettings)))]
async fn get_settings(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<MomentsSettings>> {
    Ok(Json(MomentsSettings {
        window: state.store.album_window(authed.user_id).await?,
    }))
}

/// My Moments rules for one person.
#[utoipa::path(get, path = "/moments/people/{id}", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PersonMoments), (status = 404, body = ErrorBody)))]
async fn get_person(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonMoments>> {
    let other = path_id(&id, ErrorCode::UserNotFound)?;
    let (hide_mine, hide_theirs) = state.store.person_moments(authed.user_id, other).await?;
    Ok(Json(PersonMoments {
        hide_mine,
        hide_theirs,
    }))
}

/// How far back friends may look in my Moments.
#[utoipa::path(put, path = "/moments/settings", tag = "moments", security(("bearer" = [])), request_body = MomentsSettings,
    responses((status = 204), (status = 400, body = ErrorBody)))]
async fn set_settings(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(s): extract::Json<MomentsSettings>,
) -> ApiResult<StatusCode> {
    state
        .store
        .set_album_window(authed.user_id, s.window)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Don't let them see my Moments" and "Hide their Moments" for one person.
#[utoipa::path(put, path = "/moments/people/{id}", tag = "moments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PersonMoments,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_person(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(p): extract::Json<PersonMoments>,
) -> ApiResult<StatusCode> {
    let other = path_id(&id, ErrorCode::UserNotFound)?;
    if other == authed.user_id {
        return Err(ApiError::invalid("id: these rules are for other people"));
    }
    state
        .store
        .user(other)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "No such user."))?;
    state
        .store
        .set_person_moments(authed.user_id, other, p.hide_mine, p.hide_theirs)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tags (labels) I give a contact; they choose audiences in Moments.
#[utoipa::path(put, path = "/contacts/{id}/tags", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ContactTags,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_tags(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(t): extract::Json<ContactTags>,
) -> ApiResult<StatusCode> {
    let friend = path_id(&id, ErrorCode::UserNotFound)?;
    let tags = tags(&t.tags)?;
    state
        .store
        .set_contact_tags(authed.user_id, friend, tags)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
