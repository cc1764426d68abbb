//! Official accounts: businesses that people follow; subscription accounts push articles into
//! the "Subscriptions" entry, service accounts push fewer and talk to each follower.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Articles in one broadcast, at most.
pub const MAX_BROADCAST_ARTICLES: usize = 8;
/// Broadcasts a service account may send each follower in a calendar month (UTC).
pub const SERVICE_BROADCASTS_PER_MONTH: usize = 4;
/// Longest article title, in characters.
pub const MAX_ARTICLE_TITLE: usize = 64;
/// Longest article digest, in characters.
pub const MAX_ARTICLE_DIGEST: usize = 120;
/// Longest article body, in bytes of HTML as written.
pub const MAX_ARTICLE_BODY: usize = 200_000;
/// Longest account name, in characters.
pub const MAX_ACCOUNT_NAME: usize = 30;
/// Longest account introduction, in characters.
pub const MAX_ACCOUNT_INTRO: usize = 120;

/// A subscription account or a service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficialKind {
    /// At most one broadcast a day, shown inside "Subscriptions".
    Subscription,
    /// At most four broadcasts a month per follower, shown as its own chat.
    Service,
}

/// `POST /api/v1/official-accounts`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewOfficialAccount {
    /// Its Xin ID: 3–32 letters, digits and `_`, starting with a letter.
    #[schema(
        min_length = 3,
        max_length = 32,
        pattern = "^[A-Za-z][A-Za-z0-9_]{2,31}$"
    )]
    pub handle: String,
    /// Its name.
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
    /// What it is about.
    #[serde(default)]
    #[schema(max_length = 120)]
    pub intro: String,
    /// Subscription or service.
    pub kind: OfficialKind,
}

/// An official account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialAccount {
    /// The account's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Its unique handle.
    pub handle: String,
    /// Its name.
    pub name: String,
    /// What it is about.
    pub intro: String,
    /// Subscription or service.
    pub kind: OfficialKind,
    /// The hue of its avatar's colour.
    pub avatar_hue: u16,
    /// Blob hash of its picture; none: the initial on `avatar_hue`.
    pub avatar: Option<String>,
    /// How many follow it.
    #[ts(type = "number")]
    pub followers: i64,
    /// Whether the asking user follows it.
    pub following: bool,
    /// Whether the asking user owns it (may publish).
    pub mine: bool,
    /// The newest message in the asking user's chat with it.
    pub last_message: Option<OfficialMessage>,
}

/// `PUT /api/v1/official-accounts/{id}` (owner): the profile followers see. The handle and
/// kind are fixed at creation.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct UpdateOfficialAccount {
    /// A new name.
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
    /// A new introduction.
    #[serde(default)]
    #[schema(max_length = 120)]
    pub intro: String,
    /// Blob hash of a picture the owner uploaded; none removes it.
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub avatar: Option<String>,
}

/// One follower as the account's owner sees them.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Follower {
    /// The follower.
    pub user: crate::UserProfile,
    /// Following since (Unix ms).
    #[ts(type = "number")]
    pub since: i64,
    /// The scene of the QR code they followed through.
    pub scene: Option<String>,
    /// The account's tags for them.
    pub tags: Vec<String>,
}

/// Followers per page of `GET /api/v1/official-accounts/{id}/followers`.
pub const FOLLOWERS_PAGE: usize = 100;

/// `GET /api/v1/official-accounts/{id}/followers` (owner): newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct FollowerList {
    /// The followers.
    pub followers: Vec<Follower>,
    /// Every tag the account uses, for the tag pickers.
    pub tags: Vec<String>,
    /// Pass as `before` for the next page; none at the end.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
}

/// Which followers to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct FollowerQuery {
    /// Followers who followed before this time (ms), from `next`.
    pub before: Option<i64>,
}

/// Official accounts, as a list.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialAccountList {
    /// The accounts.
    pub accounts: Vec<OfficialAccount>,
}

/// A search for official accounts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct OfficialSearch {
    /// Part of a name or handle.
    pub q: Option<String>,
}

/// `PUT /api/v1/official-accounts/{id}/follow`
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct Follow {
    /// The QR code followed through (its scene is reported to the account).
    #[serde(default)]
    #[ts(optional)]
    pub code: Option<String>,
}

/// `POST /api/v1/official-accounts/{id}/articles`: written in the console; the body is rich
/// HTML, sanitised on the server (pictures only as `xin-blob:<hash>` of the owner's uploads).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewArticle {
    /// The title.
    #[schema(min_length = 1, max_length = 64)]
    pub title: String,
    /// Blob hash of the cover picture.
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub cover: Option<String>,
    /// The digest shown in lists.
    #[serde(default)]
    #[schema(max_length = 120)]
    pub digest: String,
    /// The author's name.
    #[serde(default)]
    #[schema(max_length = 30)]
    pub author: String,
    /// The body, as HTML (sanitised by the server).
    #[schema(min_length = 1, max_length = 200000)]
    pub body_html: String,
    /// "Read original": an http(s) address.
    #[serde(default)]
    #[ts(optional)]
    pub source_url: Option<String>,
}

/// An article as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Article {
    /// The article's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The account that published it.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// That account's name.
    pub account_name: String,
    /// The title.
    pub title: String,
    /// The cover picture's address.
    pub cover: Option<String>,
    /// The digest.
    pub digest: String,
    /// The author.
    pub author: String,
    /// Sanitised HTML: no scripts, styles, event handlers or remote content.
    pub body_html: String,
    /// The original's address.
    pub source_url: Option<String>,
    /// When it was published (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// How many times it was read.
    #[ts(type = "number")]
    pub reads: i64,
    /// How many liked it.
    #[ts(type = "number")]
    pub likes: i64,
    /// How many said "wow".
    #[ts(type = "number")]
    pub wows: i64,
    /// I liked it.
    pub liked: bool,
    /// I said "wow".
    pub wowed: bool,
}

/// An article in a list or a broadcast: enough for its card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ArticleCard {
    /// The article's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The title.
    pub title: String,
    /// The cover picture's address.
    pub cover: Option<String>,
    /// The digest.
    pub digest: String,
}

/// `PUT /api/v1/articles/{id}/reaction`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Reaction {
    /// Like it.
    pub liked: bool,
    /// Say "wow".
    pub wowed: bool,
}

/// `POST /api/v1/official-accounts/{id}/broadcasts`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewBroadcast {
    /// 1–8 of the account's articles, in order.
    #[ts(type = "string[]")]
    #[schema(min_items = 1, max_items = 8)]
    pub articles: Vec<Uuid>,
    /// Only followers the account gave this tag.
    #[serde(default)]
    #[ts(optional)]
    #[schema(min_length = 1, max_length = 20)]
    pub tag: Option<String>,
}

/// Articles an account sent its followers, at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Broadcast {
    /// The broadcast's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The account.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// Its name.
    pub account_name: String,
    /// Subscription or service.
    pub account_kind: OfficialKind,
    /// The hue of its avatar's colour.
    pub account_hue: u16,
    /// Its avatar picture's address.
    pub account_avatar: Option<String>,
    /// The articles, first the headline.
    pub articles: Vec<ArticleCard>,
    /// When it was sent (Unix ms).
    #[ts(type = "number")]
    pub sent_at: i64,
    /// Followers it reached.
    #[ts(type = "number")]
    pub delivered: i64,
}

/// `GET /api/v1/subscriptions` and an account's history: broadcasts, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct BroadcastList {
    /// The broadcasts, newest first.
    pub broadcasts: Vec<Broadcast>,
}

/// `GET /api/v1/official-accounts/{id}/articles` (owner): every article, newest first, with its
/// reads, likes and Wows.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ArticleList {
    /// The articles.
    pub articles: Vec<Article>,
}

/// `PUT /api/v1/official-accounts/{id}/followers/{user}/tags`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct FollowerTags {
    /// The tags.
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
}

/// Menus at the bottom of an account's chat, at most.
pub const MAX_MENUS: usize = 3;
/// Items in one menu, at most.
pub const MAX_MENU_ITEMS: usize = 5;
/// Hours after a follower's last message during which the account's staff may write to them.
pub const SERVICE_WINDOW_HOURS: i64 = 48;

/// What a menu item does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MenuAction {
    /// Answers as if the follower had sent this keyword.
    Keyword {
        /// The keyword.
        keyword: String,
    },
    /// Opens one of the account's articles.
    Article {
        /// The article.
        #[ts(type = "string")]
        article_id: Uuid,
    },
    /// Opens a web page.
    Link {
        /// The address.
        url: String,
    },
    /// Opens one of the account's mini-programs.
    MiniProgram {
        /// The mini-program.
        #[ts(type = "string")]
        mini_program_id: Uuid,
    },
}

/// One entry of a menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MenuItem {
    /// What it says.
    #[schema(min_length = 1, max_length = 16)]
    pub name: String,
    /// What it does.
    pub action: MenuAction,
}

/// A menu at the bottom of an account's chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Menu {
    /// What the button says.
    #[schema(min_length = 1, max_length = 16)]
    pub name: String,
    /// Its entries.
    #[schema(min_items = 1, max_items = 5)]
    pub items: Vec<MenuItem>,
}

/// `GET`/`PUT /api/v1/official-accounts/{id}/menu`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialMenu {
    /// The menus, left to right.
    #[schema(max_items = 3)]
    pub menus: Vec<Menu>,
}

/// An automatic answer to a keyword.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct KeywordReply {
    /// Matched against the whole message, ignoring case and surrounding spaces.
    #[schema(min_length = 1, max_length = 30)]
    pub keyword: String,
    /// The answer.
    #[schema(min_length = 1, max_length = 2000)]
    pub reply: String,
}

/// `GET`/`PUT /api/v1/official-accounts/{id}/auto-replies` (owner)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct AutoReplies {
    /// Sent to each new follower; null or empty: none.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub on_follow: Option<String>,
    /// Keyword answers.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub keywords: Vec<KeywordReply>,
    /// Sent when no keyword matches.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub default: Option<String>,
}

/// One message between a follower and an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialMessage {
    /// The message's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The account.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// The follower.
    #[ts(type = "string")]
    pub user_id: Uuid,
    /// Written by the account (an auto-reply or its staff), not the follower.
    pub from_account: bool,
    /// The text.
    pub text: String,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `GET /api/v1/official-accounts/{id}/messages`: a follower's chat with the account (for
/// the owner: `?user=` names the follower), oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialChat {
    /// The messages, oldest first.
    pub messages: Vec<OfficialMessage>,
    /// The account's menu.
    pub menu: OfficialMenu,
}

/// Which page of an account's chat to read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct OfficialChatQuery {
    /// For the owner: whose chat.
    pub user: Option<Uuid>,
}

/// `POST /api/v1/official-accounts/{id}/messages` (a follower writes, or taps a menu keyword).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendOfficialMessage {
    /// The text.
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    /// A menu's keyword item was tapped: only the answer shows.
    #[serde(default)]
    pub from_menu: bool,
}

/// `POST /api/v1/official-accounts/{id}/followers/{user}/messages` (the account's staff).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct StaffMessage {
    /// The text.
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

/// A follower's chat in the account's inbox.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct InboxEntry {
    /// The follower.
    pub user: crate::UserProfile,
    /// Their last message.
    pub last: OfficialMessage,
    /// The follower wrote within the last 48 hours: staff may answer.
    pub can_reply: bool,
}

/// `GET /api/v1/official-accounts/{id}/inbox` (owner), newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Inbox {
    /// Chats with followers, most recent first.
    pub chats: Vec<InboxEntry>,
}

/// Lifetime of an account's API access token, in seconds.
pub const OFFICIAL_TOKEN_SECS: i64 = 7_200;
/// Seconds a webhook delivery may take.
pub const WEBHOOK_TIMEOUT_SECS: u64 = 5;
/// Retries after a failed delivery (each with the same delivery id).
pub const WEBHOOK_RETRIES: i64 = 3;

/// `PUT /api/v1/official-accounts/{id}/developer` (owner): where followers' messages and
/// events are posted. Each delivery is JSON (`WebhookEvent`) with the headers
/// `x-xin-delivery` (its id, the same on retries), `x-xin-timestamp` (Unix seconds),
/// `x-xin-nonce`, and `x-xin-signature`: hex HMAC-SHA256 keyed with the account's secret over
/// `timestamp + "\n" + nonce + "\n" + body`. A delivery that does not answer 2xx within 5 s is
/// retried 3 times (after 1, 2 and 4 s).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SetDeveloper {
    /// An http(s) address; null turns developer mode off.
    pub webhook_url: Option<String>,
}

/// The account's developer settings, as its owner sees them.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Developer {
    /// Where events are posted.
    pub webhook_url: Option<String>,
    /// Signs deliveries and exchanges for access tokens. Keep it on your server.
    pub secret: String,
}

/// What a webhook receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct WebhookEvent {
    /// The delivery id: the same on every retry, so receivers deduplicate by it.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The account.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// The follower.
    #[ts(type = "string")]
    pub user_id: Uuid,
    /// What happened.
    pub kind: WebhookKind,
    /// The follower's message, or the tapped menu keyword.
    #[serde(default)]
    pub text: Option<String>,
    /// For follows through a QR code: its scene value.
    #[serde(default)]
    pub scene: Option<String>,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub at: i64,
}

/// What a webhook event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    /// Someone followed.
    Follow,
    /// Someone unfollowed.
    Unfollow,
    /// A follower sent a message.
    Message,
    /// A follower chose a menu keyword.
    MenuKeyword,
}

/// `POST /api/v1/official-tokens`: the account's server trades its secret for an access token.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialTokenRequest {
    /// The account.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// Its API secret.
    pub secret: String,
}

/// An access token for the account's API.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialToken {
    /// The token.
    pub access_token: String,
    /// Seconds: 7 200.
    #[ts(type = "number")]
    pub expires_in: i64,
}

/// `POST /api/v1/official-api/messages` (bearer: an account access token): a reply to a
/// follower, within 48 hours of their last message.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ApiReply {
    /// The follower.
    #[ts(type = "string")]
    pub user_id: Uuid,
    /// The text.
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

/// `POST /api/v1/official-accounts/{id}/qr-codes` (owner): a code to follow the account by.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewOfficialQr {
    /// Reported with every follow through this code (in the webhook's follow event and the
    /// console's figures); null or empty for the account's plain code.
    #[serde(default)]
    #[ts(optional)]
    #[schema(max_length = 64)]
    pub scene: Option<String>,
    /// Seconds the code works (60 s to 30 days); null: it never expires.
    #[serde(default)]
    #[ts(optional, type = "number")]
    #[schema(minimum = 60, maximum = 2592000)]
    pub expires_in: Option<i64>,
}

/// A QR code that follows the account.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfficialQr {
    /// What the QR encodes: `<public url>/m/oa/<code>`.
    pub url: String,
    /// What the QR code holds.
    pub code: String,
    /// The scene it counts followers for.
    pub scene: Option<String>,
    /// When it stops working (Unix ms); none for a permanent code.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
}

/// `GET /api/v1/official-qr/{code}`: what a scanned code leads to.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ScannedOfficialQr {
    /// The account.
    pub account: OfficialAccount,
    /// The scene it came from.
    pub scene: Option<String>,
}

/// Followers by the code they followed through (`null`: not through a code with a scene).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SceneCount {
    /// The scene.
    pub scene: Option<String>,
    /// Followers it brought.
    #[ts(type = "number")]
    pub followers: i64,
}

/// `GET /api/v1/official-accounts/{id}/scenes` (owner)
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SceneCounts {
    /// Followers per scene.
    pub scenes: Vec<SceneCount>,
}
