use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::UserProfile;

/// `GET /api/v1/users/search?q=`: exact handle or phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct UserSearch {
    /// The users found.
    pub users: Vec<UserProfile>,
}

/// `POST /api/v1/friend-requests`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendFriendRequest {
    /// Whom to ask.
    #[ts(type = "string")]
    pub to: Uuid,
    /// Up to 100 characters ("Hi, I'm Alice from the climbing club").
    #[serde(default)]
    #[schema(max_length = 100)]
    pub greeting: String,
}

/// Where a friend request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FriendRequestState {
    /// Not answered yet.
    Pending,
    /// Accepted: the two are friends.
    Accepted,
    /// Declined.
    Declined,
}

/// An ask to become friends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct FriendRequest {
    /// The request's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Who asks.
    pub from: UserProfile,
    /// Whom they ask.
    pub to: UserProfile,
    /// What they wrote.
    pub greeting: String,
    /// Where it is.
    pub state: FriendRequestState,
    /// When it was sent (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/v1/friend-requests/{id}/answer`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AnswerFriendRequest {
    /// Accept (true) or decline.
    pub accept: bool,
}

/// A friend, as one user sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Contact {
    /// The friend.
    pub user: UserProfile,
    /// The alias this user gave them; shown instead of their name everywhere.
    pub remark: Option<String>,
    /// Friends since (Unix ms).
    #[ts(type = "number")]
    pub since: i64,
    /// The tags (labels) this user gave them, sorted.
    #[serde(default)]
    pub tags: Vec<String>,
    /// This user blocked them: their messages and requests are refused.
    #[serde(default)]
    pub blocked: bool,
}

/// `PUT /api/v1/contacts/{id}/remark`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SetRemark {
    /// Empty clears it.
    #[schema(max_length = 32)]
    pub remark: String,
}

/// My contacts and friend requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ContactList {
    /// My friends.
    pub contacts: Vec<Contact>,
    /// Requests to and from me, newest first.
    pub requests: Vec<FriendRequest>,
}
