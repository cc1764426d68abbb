//! `xin://` links: what a web page, a mail or another program hands the desktop app to open.
//! The system starts `xin <link>` (the menu entry registers the scheme); a running app gets it
//! from the second launch. Only what parses here reaches the UI.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

pub const SCHEME: &str = "xin";

/// A link the app can open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum XinLink {
    /// `xin://user/<Xin ID>`: someone's card. A friend's opens their profile; anyone else's,
    /// "Add friend".
    User { handle: String },
    /// `xin://chat/<conversation id>`: one of this account's chats.
    Chat {
        #[ts(type = "string")]
        conversation: Uuid,
    },
}

impl XinLink {
    pub fn parse(link: &str) -> CoreResult<Self> {
        let unknown = || CoreError::invalid("Xin cannot open this link.");
        let rest = link
            .trim()
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix("://"))
            .ok_or_else(unknown)?;
        // Whatever a browser adds after the path (a query, an anchor) is not part of the link.
        let path = rest
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .trim_end_matches('/');
        match path.split_once('/') {
            Some(("user", handle)) if is_handle(handle) => Ok(Self::User {
                handle: handle.to_string(),
            }),
            Some(("chat", id)) => Uuid::parse_str(id)
                .map(|conversation| Self::Chat { conversation })
                .map_err(|_| unknown()),
            _ => Err(unknown()),
        }
    }
}

/// A Xin ID as the server allows them: 3–32 letters, digits or _, starting with a letter.
fn is_handle(handle: &str) -> bool {
    (3..=32).contains(&handle.len())
        && handle.starts_with(|c: char| c.is_ascii_alphabetic())
        && handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_chat_links_parse() {
        assert_eq!(
            XinLink::parse("xin://user/bob_1").ok(),
            Some(XinLink::User {
                handle: "bob_1".into()
            })
        );
        assert_eq!(
            XinLink::parse("xin://user/bob/?from=web#top").ok(),
            Some(XinLink::User {
                handle: "bob".into()
            })
        );
        let id = Uuid::new_v4();
        assert_eq!(
            XinLink::parse(&format!("xin://chat/{id}")).ok(),
            Some(XinLink::Chat { conversation: id })
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for link in [
            "",
            "xin://",
            "xin://user/",
            "xin://user/1bob",
            "xin://user/b",
            "xin://user/bob/extra",
            "xin://user/bob%2F..",
            "xin://chat/not-a-uuid",
            "xin://wallet/pay?amount=100",
            "https://xin.example.org/m/u/bob",
            "xinx://user/bob",
        ] {
            assert!(
                matches!(XinLink::parse(link), Err(CoreError::Api { .. })),
                "{link:?} was accepted"
            );
        }
    }
}
