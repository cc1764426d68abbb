//! The JSON columns of the caches: wire types stored as their JSON, and read back.

use crate::error::{CoreError, CoreResult};

/// A value as the JSON a cache column stores.
pub fn to_json<T: serde::Serialize>(v: &T) -> CoreResult<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Cache(e.to_string()))
}

/// A value back from its JSON column.
pub fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> CoreResult<T> {
    serde_json::from_str(s).map_err(|e| CoreError::Cache(e.to_string()))
}
