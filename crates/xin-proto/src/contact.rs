use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::UserProfile;

/// `GET /api/v1/users/search?q=`: exact handle or phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct UserSearch {
    pub users: Vec<UserProfile>,
}

/// `POST /api/v1/friend-requests`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendFriendRequest {
    #[ts(type = "string")]
    pub to: Uuid,
    /// Up to 100 characters ("Hi, I'm Alice from the climbing club").
    #[serde(default)]
    #[schema(max_length = 100)]
    pub greeting: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FriendRequestState {
    Pending,
    Accepted,
    Declined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct FriendRequest {
    #[ts(type = "string")]
    pub id: Uuid,
    pub from: UserProfile,
    pub to: UserProfile,
    pub greeting: String,
    pub state: FriendRequestState,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/v1/friend-requests/{id}/answer`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AnswerFriendRequest {
    pub accept: bool,
}

/// A friend, as one user sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Contact {
    pub user: UserProfile,
    /// The alias this user gave them; shown instead of their name everywhere.
    pub remark: Option<String>,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ContactList {
    pub contacts: Vec<Contact>,
    pub requests: Vec<FriendRequest>,
}
