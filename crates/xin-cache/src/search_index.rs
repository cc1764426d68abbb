//! The search index's SQL functions: `search_text(body)` and `search_grams(text)`, which the
//! triggers of migration `0006_search.sql` call to keep the full-text indexes in step. Every
//! connection to an account cache registers them before its migrations run.

use std::collections::BTreeSet;

use rusqlite::{functions::FunctionFlags, Connection};
use xin_proto::{Content, Message};

/// The words of a message a search looks in: its text, a file's name, a card's title or note.
/// None for what has no words (photos, voice) and for recalled messages.
pub fn searchable(m: &Message) -> Option<String> {
    if m.recalled {
        return None;
    }
    let text = match &m.content {
        Content::Text { text, .. } => text,
        Content::File { name, .. } => name,
        Content::Video { name, .. } if !name.is_empty() => name,
        Content::Article { title, .. } => title,
        Content::MiniProgram { name, .. } => name,
        // A merged forward is found by its title and by the words of what it holds.
        Content::History { title, items } => {
            let mut words = title.clone();
            for i in items {
                if let Content::Text { text, .. } = &i.content {
                    words.push('\n');
                    words.push_str(text);
                }
            }
            return Some(words);
        }
        Content::Transfer { note, .. } | Content::RedEnvelope { note, .. } if !note.is_empty() => {
            note
        }
        _ => return None,
    };
    Some(text.clone())
}

/// A 1- or 2-character piece as an index token: hex, so no tokenizer splits or folds it.
pub(crate) fn token(piece: &str) -> String {
    let mut t = String::with_capacity(1 + piece.len() * 2);
    t.push('x');
    for b in piece.as_bytes() {
        t.push_str(&format!("{b:02x}"));
    }
    t
}

/// The distinct 1- and 2-character pieces of `text` (lower-cased, none with white space: a
/// trimmed query of 1–2 characters has none), as index tokens separated by spaces.
pub fn grams(text: &str) -> String {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut pieces = BTreeSet::new();
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        pieces.insert(c.to_string());
        if let Some(next) = chars.get(i + 1).filter(|n| !n.is_whitespace()) {
            pieces.insert(format!("{c}{next}"));
        }
    }
    pieces
        .iter()
        .map(|p| token(p))
        .collect::<Vec<_>>()
        .join(" ")
}

thread_local! {
    /// The last body `search_text` read, and its words.
    static LAST_TEXT: std::cell::RefCell<(String, Option<String>)> =
        const { std::cell::RefCell::new((String::new(), None)) };
}

/// Registers `search_text(body)` and `search_grams(text)`, which the index triggers call; on
/// every connection to an account cache, before its migrations run.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("search_text", 1, flags, |ctx| {
        let body = ctx.get_raw(0).as_str().unwrap_or_default();
        // A trigger asks up to three times for the same row: parse its JSON once.
        LAST_TEXT.with(|last| {
            let mut last = last.borrow_mut();
            if last.0 != body {
                let text = serde_json::from_str::<Message>(body)
                    .ok()
                    .and_then(|m| searchable(&m));
                *last = (body.to_string(), text);
            }
            Ok(last.1.clone())
        })
    })?;
    conn.create_scalar_function("search_grams", 1, flags, |ctx| {
        let text: Option<String> = ctx.get(0)?;
        Ok(text.map(|t| grams(&t)))
    })
}
