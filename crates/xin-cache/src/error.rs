use serde::Serialize;
use ts_rs::TS;
use xin_proto::ErrorCode;

/// Everything that can go wrong in the engine, in a form the UI can show.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The server answered with one of its stable error codes.
    #[error("{message}")]
    Api { code: ErrorCode, message: String },
    /// The server could not be reached (offline, refused, timed out).
    #[error("The server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered something that is not Xin's API.
    #[error("Unexpected answer from the server: {0}")]
    Protocol(String),
    #[error("The OS keyring failed: {0}")]
    Vault(String),
    #[error("The local cache failed: {0}")]
    Cache(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    File(String),
    #[error("Not signed in")]
    SignedOut,
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    /// The user asked for something that cannot be done as asked (checked before any request).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Api {
            code: ErrorCode::InvalidRequest,
            message: message.into(),
        }
    }

    pub fn api_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Errors that mean "this device's session is over".
    pub fn is_signed_out(&self) -> bool {
        matches!(self, Self::SignedOut)
            || matches!(
                self.api_code(),
                Some(
                    ErrorCode::SessionRevoked | ErrorCode::SessionExpired | ErrorCode::Unauthorized
                )
            )
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Cache(e.to_string())
    }
}

/// How an error crosses into the UI: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct UiError {
    pub code: String,
    pub message: String,
}

impl UiError {
    /// Words without a code (kept from before errors were stored with theirs).
    pub fn said(message: String) -> Self {
        Self {
            code: String::new(),
            message,
        }
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        Self::from(&e)
    }
}

impl From<&CoreError> for UiError {
    fn from(e: &CoreError) -> Self {
        let code = match e {
            CoreError::Api { code, .. } => serde_json::to_value(code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "api".to_string()),
            CoreError::Unreachable(_) => "unreachable".to_string(),
            CoreError::Protocol(_) => "protocol".to_string(),
            CoreError::Vault(_) => "vault".to_string(),
            CoreError::Cache(_) => "cache".to_string(),
            CoreError::File(_) => "file".to_string(),
            CoreError::SignedOut => "signed_out".to_string(),
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The engine's own rules reach the UI as `invalid_request` with English words, which the
    /// UI's catalogue says in the reader's language: every one the engine can say is there.
    #[test]
    fn every_rule_the_engine_says_is_in_the_uis_catalogue() -> Result<(), Box<dyn std::error::Error>>
    {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let catalogue = std::fs::read_to_string(root.join("../../ui/src/locales/zh-CN.json"))?;
        let catalogue: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&catalogue)?;
        let mut found = 0;
        // This crate, the engine (`xin-core`) and the desktop shell all say rules.
        for dir in [
            root.join("src"),
            root.join("../xin-core/src"),
            root.join("../../src-tauri"),
        ] {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                let Ok(code) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let call = concat!("CoreError::", "invalid("); // not this line itself
                for (i, _) in code.match_indices(call) {
                    let rest = code[i + call.len()..].trim_start();
                    // Only literal sentences: a formatted one carries its own values.
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let Some(end) = rest.find('"') else { continue };
                    found += 1;
                    let rule = &rest[..end];
                    assert!(
                        catalogue.contains_key(rule),
                        "{rule:?} ({}) has no Chinese in ui/src/locales/zh-CN.json",
                        path.display()
                    );
                }
            }
        }
        assert!(found >= 8, "only {found} rules found");
        Ok(())
    }
}
