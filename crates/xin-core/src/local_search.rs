//! Searching the account's cache from the engine: offline, over what `xin_cache::search` indexed.

use crate::{error::CoreResult, search::SearchResults};

impl crate::engine::Engine {
    /// Contacts, chats and messages matching `q`, from the cache alone (works offline).
    pub async fn search(&self, q: String) -> CoreResult<SearchResults> {
        let account = self.require_account().await?;
        let found = account.db.lock().await.search(&q);
        found
    }
}
