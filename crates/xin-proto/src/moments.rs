//! Moments: posts among friends with WeChat's privacy rules, likes and comments, contact tags.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest post text, in characters.
pub const MAX_POST_CHARS: usize = 2_000;
/// Most images in one post.
pub const MAX_POST_IMAGES: usize = 9;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

/// Longest shared link.
pub const MAX_LINK_URL: usize = 2_048;
/// Longest link card title.
pub const MAX_LINK_TITLE: usize = 200;
/// Longest link card description.
pub const MAX_LINK_DESCRIPTION: usize = 300;

/// A web page shared in a post, shown as WeChat's card (picture and title) that opens the page.
/// The sharing client reads the page for it, so the server never fetches what users name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct LinkCard {
    /// An http or https address.
    pub url: String,
    /// The page's title.
    pub title: String,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// The page's picture, uploaded as a blob by the sharer.
    #[serde(default)]
    pub image: Option<String>,
}

/// Who may see a post (always only the author's friends, and never someone who cannot see the
/// author's Moments at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// All friends.
    All,
    /// Only me.
    Private,
    /// Only the chosen friends and tags.
    Only,
    /// All friends except the chosen friends and tags.
    Except,
}

/// `POST /api/v1/moments`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewPost {
    /// The text.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub text: String,
    /// Blob hashes of images I uploaded (or may read), in order.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub images: Vec<String>,
    /// A shared web page (a post has images or a link, not both).
    #[serde(default)]
    pub link: Option<LinkCard>,
    /// Who may see it.
    pub visibility: Visibility,
    /// For `only` / `except`: chosen friends.
    #[serde(default)]
    #[ts(type = "string[]")]
    pub users: Vec<Uuid>,
    /// For `only` / `except`: my contact tags (resolved to their friends when posting).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
}

/// Someone as Moments shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MomentUser {
    /// The user.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Their name.
    pub display_name: String,
    /// The hue of their avatar's colour.
    pub avatar_hue: u16,
}

/// A comment on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MomentComment {
    /// The comment's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Who wrote it.
    pub author: MomentUser,
    /// The person replied to, if a reply.
    pub reply_to: Option<MomentUser>,
    /// The text.
    pub text: String,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// A post as one viewer may see it: only the likes and comments of that viewer's friends (and
/// their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Post {
    /// The post's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Who posted it.
    pub author: MomentUser,
    /// The text.
    pub text: String,
    /// Its pictures' hashes.
    pub images: Vec<String>,
    /// A shared link.
    pub link: Option<LinkCard>,
    /// Shown to the author only.
    pub visibility: Option<Visibility>,
    /// When it was posted (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// Who liked it (of those I may see).
    pub likes: Vec<MomentUser>,
    /// Comments (of those I may see), oldest first.
    pub comments: Vec<MomentComment>,
}

/// `GET /api/v1/moments` (timeline) and `GET /api/v1/users/{id}/moments` (album), newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct PostPage {
    /// The posts, newest first.
    pub posts: Vec<Post>,
    /// Pass as `before` for the next page; null at the end.
    #[ts(type = "string | null")]
    pub next: Option<Uuid>,
}

/// Which page of posts to read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct PostPageQuery {
    /// A post id: posts older than it.
    pub before: Option<Uuid>,
    /// At most 50; 20 by default.
    pub limit: Option<u32>,
}

/// `POST /api/v1/moments/{id}/comments`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewComment {
    /// The text.
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
    /// The comment replied to, if a reply.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub reply_to: Option<Uuid>,
}

/// How far back friends may look in my Moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlbumWindow {
    /// Everything.
    All,
    /// The last six months.
    SixMonths,
    /// The last three days.
    ThreeDays,
}

/// `PUT /api/v1/moments/settings`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MomentsSettings {
    /// How far back friends may look in my album.
    pub window: AlbumWindow,
}

/// `PUT /api/v1/moments/people/{id}`: my Moments rules for one person.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct PersonMoments {
    /// Don't let them see my Moments.
    pub hide_mine: bool,
    /// Hide their Moments from my timeline.
    pub hide_theirs: bool,
}

/// `PUT /api/v1/contacts/{id}/tags`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ContactTags {
    /// The contact's tags.
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
}

/// What happened to me in Moments (a like, a comment on my post, a reply to me).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MomentNoticeKind {
    /// Someone liked my post.
    Like,
    /// Someone commented on my post.
    Comment,
    /// Someone replied to my comment.
    Reply,
}

/// Someone liked, commented or replied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MomentNotice {
    /// The post.
    #[ts(type = "string")]
    pub post_id: Uuid,
    /// Like, comment or reply.
    pub kind: MomentNoticeKind,
    /// Who.
    pub from: MomentUser,
    /// The comment's text, for comments and replies.
    pub text: String,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub at: i64,
}
