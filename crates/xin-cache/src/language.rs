//! The language the desktop reads, where the Rust side writes the words: chat-list previews,
//! notifications, the tray, exported chats, and the `Accept-Language` the server answers in.
//! The UI says which language that is (the user's choice, or the system's); the words live in
//! `locales/app.yml` (`rust-i18n`), with English strings as their keys like the UI's catalogue.

use std::sync::{
    atomic::{AtomicU8, Ordering},
    Arc,
};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A language the app speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Language {
    /// English (`en`), the default and the fallback.
    #[default]
    #[serde(rename = "en")]
    English,
    /// 简体中文 (`zh-CN`).
    #[serde(rename = "zh-CN")]
    SimplifiedChinese,
}

impl Language {
    /// The BCP 47 tag, as the catalogue and HTTP name it.
    pub fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::SimplifiedChinese => "zh-CN",
        }
    }

    /// Chinese for any `zh` locale (the only Chinese Xin has), else English.
    pub fn from_locale(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Self::SimplifiedChinese
        } else {
            Self::English
        }
    }

    fn from_u8(v: u8) -> Self {
        if v == 1 {
            Self::SimplifiedChinese
        } else {
            Self::English
        }
    }

    fn as_u8(self) -> u8 {
        match self {
            Self::English => 0,
            Self::SimplifiedChinese => 1,
        }
    }
}

/// The language in effect, shared by the engine and its HTTP client.
#[derive(Debug, Clone, Default)]
pub struct Speaking(Arc<AtomicU8>);

impl Speaking {
    /// The language spoken now.
    pub fn get(&self) -> Language {
        Language::from_u8(self.0.load(Ordering::Relaxed))
    }

    /// True when it changed.
    pub fn set(&self, lang: Language) -> bool {
        self.0.swap(lang.as_u8(), Ordering::Relaxed) != lang.as_u8()
    }
}

/// One of the shell's fixed phrases (a file picker's title) in `lang`; English when the
/// catalogue has no such phrase.
pub fn say(lang: Language, english: &str) -> String {
    t!(english, locale = lang.code()).into_owned()
}

/// The unread total as the tray's tooltip says it.
pub fn unread_tooltip(lang: Language, total: i64) -> String {
    if total > 0 {
        t!("Xin — %{count} unread", count = total, locale = lang.code()).into_owned()
    } else {
        "Xin".to_string()
    }
}

/// An incoming call's notification line ("invites you to a video call").
pub fn call_invitation(lang: Language, video: bool) -> String {
    if video {
        t!("invites you to a video call", locale = lang.code()).into_owned()
    } else {
        t!("invites you to a voice call", locale = lang.code()).into_owned()
    }
}

/// The tray menu's two items: open the main window, quit the app.
pub fn tray_menu(lang: Language) -> (String, String) {
    (
        t!("Open Xin", locale = lang.code()).into_owned(),
        t!("Quit Xin", locale = lang.code()).into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incoming_call_is_announced_in_the_readers_language() {
        assert_eq!(
            call_invitation(Language::English, true),
            "invites you to a video call"
        );
        assert_eq!(
            call_invitation(Language::SimplifiedChinese, false),
            "邀请你语音通话"
        );
    }

    #[test]
    fn locales_map_to_the_languages_xin_has() {
        assert_eq!(Language::from_locale("zh-TW"), Language::SimplifiedChinese);
        assert_eq!(
            Language::from_locale("zh_CN.UTF-8"),
            Language::SimplifiedChinese
        );
        assert_eq!(Language::from_locale("en-GB"), Language::English);
        assert_eq!(Language::from_locale("de"), Language::English);
    }

    #[test]
    fn the_tray_counts_unread_in_either_language() {
        assert_eq!(unread_tooltip(Language::English, 3), "Xin — 3 unread");
        assert_eq!(
            unread_tooltip(Language::SimplifiedChinese, 3),
            "Xin — 3 条未读"
        );
        assert_eq!(unread_tooltip(Language::SimplifiedChinese, 0), "Xin");
    }

    /// Every phrase the desktop shell says through [`say`] has its Chinese.
    #[test]
    fn the_shells_phrases_have_their_chinese() -> Result<(), Box<dyn std::error::Error>> {
        let shell = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri");
        let mut found = 0;
        for entry in std::fs::read_dir(shell)? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let code = std::fs::read_to_string(&path)?;
            for (i, _) in code.match_indices("say(lang, \"") {
                let rest = &code[i + "say(lang, \"".len()..];
                let phrase = &rest[..rest.find('"').unwrap_or(0)];
                found += 1;
                assert_ne!(
                    say(Language::SimplifiedChinese, phrase),
                    phrase,
                    "no Chinese for {phrase:?} in {}",
                    path.display()
                );
            }
        }
        assert!(found >= 5, "only {found} phrases found");
        Ok(())
    }

    #[test]
    fn speaking_reports_a_change_once() {
        let s = Speaking::default();
        assert!(s.set(Language::SimplifiedChinese));
        assert!(!s.set(Language::SimplifiedChinese));
        assert_eq!(s.get(), Language::SimplifiedChinese);
    }
}
