use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::DeviceInfo;

/// A user's public face: what other people see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct UserProfile {
    /// The account's id; never changes.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The unique handle others search for (`alice`).
    pub handle: String,
    /// The name shown in chats.
    pub display_name: String,
    /// Hue (0–359) of the generated avatar until people can upload pictures.
    pub avatar_hue: u16,
}

/// `POST /api/v1/accounts`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct RegisterRequest {
    /// 3–32 characters: ASCII letters, digits, `_`, starting with a letter.
    #[schema(
        min_length = 3,
        max_length = 32,
        pattern = "^[A-Za-z][A-Za-z0-9_]{2,31}$"
    )]
    pub handle: String,
    /// E.164-ish: optional `+`, 6–15 digits.
    #[schema(min_length = 6, max_length = 24, pattern = "^\\+?[0-9 ()-]{6,23}$")]
    pub phone: String,
    /// 1–32 characters.
    #[schema(min_length = 1, max_length = 32)]
    pub display_name: String,
    /// At least 8 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// The device signing up.
    pub device: DeviceInfo,
}

/// `POST /api/v1/sessions`: password sign-in (the phone companion uses it).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SignInRequest {
    /// Handle or phone number.
    #[schema(min_length = 1, max_length = 64)]
    pub login: String,
    /// The account's password.
    #[schema(min_length = 1, max_length = 512)]
    pub password: String,
    /// The device signing in.
    pub device: DeviceInfo,
}

/// `POST /api/v1/sessions/refresh`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token the session was issued.
    #[schema(min_length = 1, max_length = 128)]
    pub refresh_token: String,
}

/// A device session. Tokens are opaque; the server stores only their hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Session {
    /// Who signed in.
    pub user: UserProfile,
    /// This device's id in the account.
    #[ts(type = "string")]
    pub device_id: Uuid,
    /// Short-lived bearer token for API calls.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub access_expires_in: u32,
    /// Single use: every refresh returns a new one and retires the old.
    pub refresh_token: String,
    /// Present when the device is remembered: lets it ask the phone for a one-tap sign-in later.
    /// A credential like the refresh token: keep it in the OS keyring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub remember_token: Option<String>,
    /// For clients that load files by address (`<img src>`) and so cannot send the access
    /// token in a header: signs links to files (see `media_link`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub media_key: Option<crate::media_link::MediaKey>,
}

/// `GET /api/v1/health`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Health {
    /// `ok` when the server is up.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The base URL phones reach this server at (for QR codes).
    pub public_url: String,
}
