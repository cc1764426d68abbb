use serde::Serialize;
use ts_rs::TS;
use xin_proto::ErrorCode;

/// Everything that can go wrong in the engine, in a form the UI can show.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The server answered with one of its stable error codes.
    #[error("{message}")]
    Api {
        /// The code.
        code: ErrorCode,
        /// The server's sentence, in the language the request asked for.
        message: String,
    },
    /// The server could not be reached (offline, refused, timed out).
    #[error("The server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered something that is not Xin's API.
    #[error("Unexpected answer from the server: {0}")]
    Protocol(String),
    /// The OS keyring failed.
    #[error("The OS keyring failed: {0}")]
    Vault(String),
    /// The local cache failed.
    #[error("The local cache failed: {0}")]
    Cache(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    File(String),
    /// This device is not signed in (or its session ended).
    #[error("Not signed in")]
    SignedOut,
}

/// A result whose error is a [`CoreError`].
pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    /// The user asked for something that cannot be done as asked (checked before any request).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Api {
            code: ErrorCode::InvalidRequest,
            message: message.into(),
        }
    }

    /// The server's code, when the server refused.
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
    /// What went wrong, for the UI to choose its words by.
    pub code: UiCode,
    /// The sentence, in English: the server's words or the app's own.
    pub message: String,
}

/// A UI error's code: one of the server's stable codes, or one the app says itself. In
/// TypeScript it is the union of both, so a misspelt code is a compile error there too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(untagged)]
pub enum UiCode {
    /// The server said so (or the engine checked one of the server's rules first).
    Server(ErrorCode),
    /// Something on this computer.
    Local(LocalCode),
}

/// The failures that happen on this computer and have no server code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LocalCode {
    /// The server could not be reached.
    Unreachable,
    /// The server answered something that is not Xin's API.
    Protocol,
    /// The OS keyring failed.
    Vault,
    /// The local cache failed.
    Cache,
    /// A local file could not be read, written, opened or shown.
    File,
    /// This device is not signed in.
    SignedOut,
    /// The user said no (to a mini-program's question).
    Cancelled,
    /// The files a drop command asked for were not dropped just now.
    NothingDropped,
    /// Words kept from before errors were stored with their code.
    #[serde(other, rename = "")]
    #[ts(rename = "")]
    Unspecified,
}

impl UiError {
    /// An error with one of the server's codes.
    pub fn server(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: UiCode::Server(code),
            message: message.into(),
        }
    }

    /// An error that happened on this computer.
    pub fn local(code: LocalCode, message: impl Into<String>) -> Self {
        Self {
            code: UiCode::Local(code),
            message: message.into(),
        }
    }

    /// Words without a code (kept from before errors were stored with theirs).
    pub fn said(message: String) -> Self {
        Self::local(LocalCode::Unspecified, message)
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
            CoreError::Api { code, .. } => UiCode::Server(*code),
            CoreError::Unreachable(_) => UiCode::Local(LocalCode::Unreachable),
            CoreError::Protocol(_) => UiCode::Local(LocalCode::Protocol),
            CoreError::Vault(_) => UiCode::Local(LocalCode::Vault),
            CoreError::Cache(_) => UiCode::Local(LocalCode::Cache),
            CoreError::File(_) => UiCode::Local(LocalCode::File),
            CoreError::SignedOut => UiCode::Local(LocalCode::SignedOut),
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LocalCode, UiCode, UiError};
    use xin_proto::ErrorCode;

    /// Codes travel as the plain strings the UI's catalogue knows; a code stored by an older
    /// version that no longer exists reads back as words without a code, not as a failure.
    #[test]
    fn codes_are_plain_strings_and_unknown_stored_ones_read_as_unspecified(
    ) -> Result<(), serde_json::Error> {
        let server = UiError::server(ErrorCode::PinLocked, "Wait.");
        let local = UiError::local(LocalCode::NothingDropped, "Drop again.");
        assert_eq!(
            serde_json::to_string(&server)?,
            r#"{"code":"pin_locked","message":"Wait."}"#
        );
        assert_eq!(
            serde_json::to_string(&local)?,
            r#"{"code":"nothing_dropped","message":"Drop again."}"#
        );
        assert_eq!(
            serde_json::from_str::<UiError>(&serde_json::to_string(&local)?)?,
            local
        );
        let old: UiError = serde_json::from_str(r#"{"code":"api","message":"Gone."}"#)?;
        assert_eq!(old.code, UiCode::Local(LocalCode::Unspecified));
        assert_eq!(old.message, "Gone.");
        assert_eq!(
            serde_json::to_string(&UiError::said("x".into()))?,
            r#"{"code":"","message":"x"}"#
        );
        Ok(())
    }

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
                // `CoreError::invalid` and the shell's `UiError::server` for `InvalidRequest`, with a literal.
                let calls = [
                    concat!("CoreError::", "invalid("), // not this line itself
                    concat!("ErrorCode::", "InvalidRequest,"),
                ];
                for (i, call) in calls.iter().flat_map(|c| code.match_indices(c)) {
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
