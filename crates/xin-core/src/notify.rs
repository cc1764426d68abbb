//! Which new messages become desktop notifications, and what they say.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::language::Language;

/// A message from someone else that arrived live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Incoming {
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// The chat's title (group name or the friend's name/remark).
    pub title: String,
    pub sender: String,
    /// The message in one line, in the user's language.
    pub text: String,
    pub muted: bool,
    pub group: bool,
    /// Mentions this user (or @all): notifies even when the group is muted.
    pub mentions_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
}

/// Muted chats stay silent unless you are @-mentioned; with previews hidden, the body says only
/// that something arrived, so a glance at the screen reveals nothing.
pub fn notification(m: &Incoming, show_previews: bool, lang: Language) -> Option<Notification> {
    if m.muted && !m.mentions_me {
        return None;
    }
    let l = lang.code();
    let body = match (show_previews, m.group) {
        (false, _) => t!("New message", locale = l).into_owned(),
        (true, true) => t!(
            "%{sender}: %{text}",
            sender = m.sender,
            text = m.text,
            locale = l
        )
        .into_owned(),
        (true, false) => m.text.clone(),
    };
    Some(Notification {
        title: m.title.clone(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(muted: bool, group: bool, mentions_me: bool) -> Incoming {
        Incoming {
            conversation_id: Uuid::nil(),
            title: "Climbing".into(),
            sender: "Bob".into(),
            text: "9:00 at the gym".into(),
            muted,
            group,
            mentions_me,
        }
    }

    #[test]
    fn a_group_message_names_its_sender() {
        let n = notification(&incoming(false, true, false), true, Language::English);
        assert_eq!(
            n,
            Some(Notification {
                title: "Climbing".into(),
                body: "Bob: 9:00 at the gym".into()
            })
        );
    }

    #[test]
    fn a_direct_message_shows_just_the_text() {
        assert_eq!(
            notification(&incoming(false, false, false), true, Language::English).map(|n| n.body),
            Some("9:00 at the gym".to_string())
        );
    }

    #[test]
    fn muted_chats_are_silent_unless_you_are_mentioned() {
        assert_eq!(
            notification(&incoming(true, true, false), true, Language::English),
            None
        );
        assert!(notification(&incoming(true, true, true), true, Language::English).is_some());
    }

    #[test]
    fn hidden_previews_reveal_nothing() {
        let body = notification(&incoming(false, true, false), false, Language::English)
            .map(|n| n.body)
            .unwrap_or_default();
        assert_eq!(body, "New message");
        assert!(!body.contains("gym"));
        let n = notification(
            &incoming(false, true, false),
            false,
            Language::SimplifiedChinese,
        );
        assert_eq!(n.map(|n| n.body).as_deref(), Some("新消息"));
    }
}
