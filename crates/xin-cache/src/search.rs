//! Local search: contacts, chats and messages from the account cache, at once and offline.
//!
//! Messages are found by substring, as a plain `LIKE '%q%'` would find them, but through two
//! full-text indexes kept in step by triggers (migration `0006_search.sql`): trigrams for 3+
//! characters, and each message's distinct 1- and 2-character pieces for shorter queries —
//! which is what Chinese needs, where one or two characters are a whole word.

use std::collections::BTreeSet;

use rusqlite::{functions::FunctionFlags, params, Connection};
use serde::Serialize;
use ts_rs::TS;
use xin_proto::{ArticleCard, BroadcastList, Contact, Content, Conversation, Message, Post};

use crate::{cache::AccountDb, chat_cache::from_json, error::CoreResult};

/// Message hits per search, newest first.
pub const MESSAGE_HITS: usize = 50;

/// One message found, with the chat it is in.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MessageHit {
    pub message: Message,
    pub conversation_title: String,
}

/// What a search found, by kind.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct SearchResults {
    pub contacts: Vec<Contact>,
    /// Chats whose name matches (groups, and direct chats by the friend's name).
    pub chats: Vec<Conversation>,
    pub messages: Vec<MessageHit>,
    /// Moments posts in my cached timeline whose text or link title matches, newest first.
    pub posts: Vec<Post>,
    /// Articles delivered to me (as Subscriptions last showed them) whose title or digest
    /// matches, newest first.
    pub articles: Vec<ArticleHit>,
}

/// An article found, with the account that sent it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ArticleHit {
    pub article: ArticleCard,
    pub account_name: String,
}

/// Posts and articles found per search, at most (the caches behind them are small: a scan).
pub const OTHER_HITS: usize = 20;

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
fn token(piece: &str) -> String {
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

/// A query as an FTS5 phrase: quoted, inner quotes doubled.
fn phrase(q: &str) -> String {
    format!("\"{}\"", q.replace('"', "\"\""))
}

fn contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(needle)
}

impl AccountDb {
    /// Bytes in the two search indexes: (trigrams, 1–2 character pieces).
    pub fn search_index_size(&self) -> CoreResult<(u64, u64)> {
        let size = |prefix: &str| -> CoreResult<u64> {
            Ok(self.0.query_row(
                "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE ?1",
                params![format!("{prefix}%")],
                |r| r.get::<_, i64>(0),
            )? as u64)
        };
        Ok((size("search_long")?, size("search_short")?))
    }

    /// Messages whose words contain `q` (case-insensitive), newest first.
    pub fn search_messages(&self, q: &str, limit: usize) -> CoreResult<Vec<Message>> {
        let q = q.trim();
        let n = q.chars().count();
        if n == 0 {
            return Ok(Vec::new());
        }
        let (table, term) = if n >= 3 {
            ("search_long", phrase(q))
        } else {
            ("search_short", token(&q.to_lowercase()))
        };
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT m.body FROM {table} s
               JOIN search_docs d ON d.docid = s.rowid
               JOIN messages m ON m.id = d.message_id
              WHERE {table} MATCH ?1 ORDER BY s.rowid DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![term, limit as i64], |r| r.get::<_, String>(0))?;
        rows.map(|b| from_json::<Message>(&b?)).collect()
    }

    /// Contacts, chats and messages matching `q`.
    pub fn search(&self, q: &str) -> CoreResult<SearchResults> {
        let needle = q.trim().to_lowercase();
        if needle.is_empty() {
            return Ok(SearchResults::default());
        }
        let contacts = self
            .contacts()?
            .contacts
            .into_iter()
            .filter(|c| {
                contains(&c.user.display_name, &needle)
                    || contains(&c.user.handle, &needle)
                    || c.remark.as_deref().is_some_and(|r| contains(r, &needle))
            })
            .collect();
        let all = self.conversations()?;
        let chats = all
            .iter()
            .filter(|c| contains(&c.title, &needle))
            .cloned()
            .collect();
        let messages = self
            .search_messages(q, MESSAGE_HITS)?
            .into_iter()
            .map(|message| {
                let conversation_title = all
                    .iter()
                    .find(|c| c.id == message.conversation_id)
                    .map(|c| c.title.clone())
                    .unwrap_or_default();
                MessageHit {
                    message,
                    conversation_title,
                }
            })
            .collect();
        let posts = self
            .cached_feed_all()?
            .into_iter()
            .filter(|p| {
                contains(&p.text, &needle)
                    || p.link.as_ref().is_some_and(|l| contains(&l.title, &needle))
            })
            .take(OTHER_HITS)
            .collect();
        let articles = self
            .official::<BroadcastList>("subscriptions")?
            .map(|l| l.broadcasts)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|b| {
                let account_name = b.account_name.clone();
                b.articles.into_iter().map(move |article| ArticleHit {
                    article,
                    account_name: account_name.clone(),
                })
            })
            .filter(|h| contains(&h.article.title, &needle) || contains(&h.article.digest, &needle))
            .take(OTHER_HITS)
            .collect();
        Ok(SearchResults {
            contacts,
            chats,
            messages,
            posts,
            articles,
        })
    }
}
