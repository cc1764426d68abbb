use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

/// What kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// The desktop app.
    Desktop,
    /// The phone companion.
    Phone,
}

impl DeviceKind {
    /// The kind as stored and sent (`desktop`, `phone`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desktop => "desktop",
            Self::Phone => "phone",
        }
    }

    /// A kind from its stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "desktop" => Some(Self::Desktop),
            "phone" => Some(Self::Phone),
            _ => None,
        }
    }
}

/// What a client says about itself when it signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct DeviceInfo {
    /// e.g. "Alice's ThinkPad" (1–64 characters).
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// Desktop or phone.
    pub kind: DeviceKind,
    /// e.g. "Linux", "Android 15" (1–64 characters).
    #[schema(min_length = 1, max_length = 64)]
    pub os: String,
    /// e.g. "0.1.0" (1–32 characters).
    #[schema(min_length = 1, max_length = 32)]
    pub app_version: String,
}

/// One row of "my devices".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Device {
    /// The device's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Its name ("Alice's ThinkPad").
    pub name: String,
    /// Desktop or phone.
    pub kind: DeviceKind,
    /// Its operating system.
    pub os: String,
    /// The Xin version it runs.
    pub app_version: String,
    /// The address it last spoke from.
    pub ip: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub last_active_at: i64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// True for the device asking.
    pub current: bool,
    /// True while it holds a live session.
    pub signed_in: bool,
}

/// An account's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct DeviceList {
    /// Every device signed in, this one first.
    pub devices: Vec<Device>,
}
