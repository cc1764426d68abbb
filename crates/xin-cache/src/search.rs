//! Local search: contacts, chats and messages from the account cache, at once and offline.
//!
//! Messages are found by substring, as a plain `LIKE '%q%'` would find them, but through two
//! full-text indexes kept in step by triggers (migration `0006_search.sql`): trigrams for 3+
//! characters, and each message's distinct 1- and 2-character pieces for shorter queries —
//! which is what Chinese needs, where one or two characters are a whole word.

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;
use xin_proto::{ArticleCard, BroadcastList, Contact, Conversation, Message, Post};

use crate::search_index::token;
pub use crate::search_index::{grams, register, searchable};
use crate::{cache::AccountDb, error::CoreResult, json::from_json};

/// Message hits per search, newest first.
pub const MESSAGE_HITS: usize = 50;

/// One message found, with the chat it is in.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MessageHit {
    /// The message.
    pub message: Message,
    /// The chat it is in, as the chat list names it.
    pub conversation_title: String,
}

/// What a search found, by kind.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct SearchResults {
    /// Contacts whose name, remark or handle holds the query.
    pub contacts: Vec<Contact>,
    /// Chats whose name matches (groups, and direct chats by the friend's name).
    pub chats: Vec<Conversation>,
    /// Messages that hold it, newest first.
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
    /// The article.
    pub article: ArticleCard,
    /// The account that sent it.
    pub account_name: String,
}

/// Posts and articles found per search, at most (the caches behind them are small: a scan).
pub const OTHER_HITS: usize = 20;

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
