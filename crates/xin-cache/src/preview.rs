//! A message in one line — the chat list's last message, a notification's body, a line of an
//! exported chat — worded in the reader's language. The chat list keeps its last message as
//! what it is (who sent what kind, with which words), so switching the language rewords it.

use serde::{Deserialize, Serialize};
use xin_proto::{Content, Message, SystemEvent};

use crate::language::Language;

/// How much of a text the chat list keeps: more than a row shows.
const KEPT_CHARS: usize = 120;

/// The chat list's last message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// In a group, who sent it: my remark for them, else their name.
    pub sender: Option<String>,
    /// The message was recalled.
    pub recalled: bool,
    /// The message's content, with only what a one-line preview needs.
    pub content: Content,
}

impl Preview {
    /// The preview of `m`, sent by `sender` (in a group).
    pub fn of(m: &Message, sender: Option<&str>) -> Self {
        let content = match &m.content {
            Content::Text { text, .. } => Content::Text {
                text: text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(KEPT_CHARS)
                    .collect(),
                mentions: Vec::new(),
                mention_all: false,
            },
            Content::History { title, .. } => Content::History {
                title: title.clone(),
                items: Vec::new(),
            },
            other => other.clone(),
        };
        Self {
            // System lines speak for themselves.
            sender: sender
                .filter(|_| !matches!(m.content, Content::System { .. }))
                .map(str::to_string),
            recalled: m.recalled,
            content,
        }
    }

    /// The preview as one line in `lang`.
    pub fn words(&self, lang: Language) -> String {
        let body = if self.recalled {
            t!("[Recalled]", locale = lang.code()).into_owned()
        } else {
            one_line(&self.content, lang)
        };
        match &self.sender {
            Some(sender) => t!(
                "%{sender}: %{text}",
                sender = sender,
                text = body,
                locale = lang.code()
            )
            .into_owned(),
            None => body,
        }
    }

    /// What happened, when the last message is a system line (the UI words those itself).
    pub fn system_event(&self) -> Option<SystemEvent> {
        match &self.content {
            Content::System { event, .. } if !self.recalled => event.clone(),
            _ => None,
        }
    }
}

/// What a message holds, in one line: its words, or its kind.
pub fn one_line(content: &Content, lang: Language) -> String {
    let l = lang.code();
    let words = match content {
        Content::Text { text, .. } => return text.lines().next().unwrap_or("").to_string(),
        Content::System { text, .. } => return text.clone(),
        Content::Image { .. } => t!("[Photo]", locale = l),
        Content::File { name, .. } => t!("[File] %{name}", name = name, locale = l),
        Content::Voice { duration_ms, .. } => {
            t!(
                "[Voice] %{seconds}\"",
                seconds = duration_ms.div_ceil(1000),
                locale = l
            )
        }
        Content::Video { .. } => t!("[Video]", locale = l),
        Content::Transfer { .. } => t!("[Transfer]", locale = l),
        Content::Call {
            kind: xin_proto::CallKind::Voice,
            ..
        } => t!("[Voice call]", locale = l),
        Content::Call { .. } => t!("[Video call]", locale = l),
        Content::Article { title, .. } => t!("[Article] %{title}", title = title, locale = l),
        Content::MiniProgram { name, .. } => t!("[Mini Program] %{name}", name = name, locale = l),
        Content::History { title, .. } => t!("[Chat history] %{title}", title = title, locale = l),
        Content::RedEnvelope { note, .. } => t!("[Red Envelope] %{note}", note = note, locale = l),
        Content::Unsupported => t!("[Unsupported message]", locale = l),
    };
    words.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;
    use xin_proto::BlobRef;

    fn message(content: Content) -> Message {
        Message {
            id: Uuid::nil(),
            conversation_id: Uuid::nil(),
            sender_id: Uuid::nil(),
            client_id: Uuid::nil(),
            seq: 1,
            created_at: 0,
            content,
            recalled: false,
            reply_to: None,
        }
    }

    fn photo() -> Content {
        Content::Image {
            blob: BlobRef {
                hash: "0".repeat(64),
                size: 1,
            },
            width: 1,
            height: 1,
            thumbnail: None,
            placeholder: String::new(),
        }
    }

    #[test]
    fn kinds_are_worded_in_the_readers_language() {
        let p = Preview::of(&message(photo()), Some("Bob"));
        assert_eq!(p.words(Language::English), "Bob: [Photo]");
        assert_eq!(p.words(Language::SimplifiedChinese), "Bob: [图片]");
        let voice = Content::Voice {
            blob: BlobRef {
                hash: "0".repeat(64),
                size: 1,
            },
            duration_ms: 4200,
            waveform: vec![],
        };
        assert_eq!(one_line(&voice, Language::English), "[Voice] 5\"");
        assert_eq!(one_line(&voice, Language::SimplifiedChinese), "[语音] 5\"");
    }

    #[test]
    fn a_text_keeps_its_first_line_and_a_recall_says_so() {
        let mut m = message(Content::Text {
            text: format!("{}\nsecond line", "字".repeat(300)),
            mentions: vec![Uuid::nil()],
            mention_all: true,
        });
        let p = Preview::of(&m, None);
        assert_eq!(p.words(Language::English), "字".repeat(KEPT_CHARS));
        m.recalled = true;
        assert_eq!(
            Preview::of(&m, None).words(Language::SimplifiedChinese),
            "[已撤回]"
        );
    }

    #[test]
    fn every_word_has_its_chinese() -> Result<(), serde_json::Error> {
        // Each key of the catalogue, worded in Chinese, differs from its English — so a key
        // the code uses but the catalogue lacks would show up here as English.
        let catalogue = include_str!("../locales/app.yml");
        let keys: Vec<&str> = catalogue
            .lines()
            .filter(|l| l.starts_with('"'))
            .filter_map(|l| l.strip_suffix(':'))
            .collect();
        assert!(keys.len() > 10);
        for key in keys {
            let key: String = serde_json::from_str(key)?;
            let zh = t!(&key, locale = "zh-CN");
            assert!(
                zh != key || key == "%{sender}: %{text}",
                "no Chinese for {key:?}"
            );
        }
        let used = [
            include_str!("preview.rs"),
            include_str!("language.rs"),
            include_str!("../../xin-core/src/notify.rs"),
            include_str!("../../xin-core/src/export.rs"),
        ]
        .concat();
        for (i, _) in used.match_indices("t!(\"") {
            if used[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue; // format!( and the like
            }
            let rest = &used[i + 3..];
            let end = rest[1..]
                .find("\",")
                .or_else(|| rest[1..].find("\")"))
                .unwrap_or(0);
            let key = rest[1..=end].replace("\\\"", "\"");
            assert!(
                catalogue.contains(&format!("{key:?}:")),
                "{key:?} is not in the catalogue"
            );
        }
        Ok(())
    }
}
