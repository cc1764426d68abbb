//! Official accounts as the desktop reads them: the subscriptions feed, articles, reactions and
//! following. Read from the server when told something arrived, kept in the account cache, and
//! answered from there when the server cannot be reached.

use reqwest::Method;
use uuid::Uuid;
use xin_proto::{
    Article, BroadcastList, Follow, OfficialAccount, OfficialAccountList, OfficialChat,
    OfficialMessage, Reaction, SendOfficialMessage,
};

use serde::{de::DeserializeOwned, Serialize};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
    official_cache::OfficialUnread,
};

impl Engine {
    /// GETs `path` and keeps the answer under `key`; offline, the kept answer (or the error
    /// when there is none).
    async fn cached_get<T: Serialize + DeserializeOwned>(
        &self,
        key: &str,
        path: String,
    ) -> CoreResult<T> {
        let account = self.require_account().await?;
        match self.authed_json::<(), T>(Method::GET, path, None).await {
            Ok(answer) => {
                account.db.lock().await.put_official(key, &answer)?;
                Ok(answer)
            }
            Err(CoreError::Unreachable(why)) => account
                .db
                .lock()
                .await
                .official(key)?
                .ok_or(CoreError::Unreachable(why)),
            Err(e) => Err(e),
        }
    }

    /// Broadcasts delivered to me, newest first.
    pub async fn subscriptions(&self) -> CoreResult<BroadcastList> {
        self.cached_get("subscriptions", "/subscriptions".into())
            .await
    }

    /// An article (the server counts the read).
    pub async fn article(&self, id: Uuid) -> CoreResult<Article> {
        self.cached_get(&format!("article:{id}"), format!("/articles/{id}"))
            .await
    }

    /// What arrived from each account since I last looked at it.
    pub async fn official_unread(&self) -> CoreResult<Vec<OfficialUnread>> {
        let account = self.require_account().await?;
        let unread = account.db.lock().await.official_unread();
        unread
    }

    /// I looked at an account's chat, or (without one) at Subscriptions.
    pub async fn mark_official_read(&self, id: Option<Uuid>) -> CoreResult<()> {
        let account = self.require_account().await?;
        account.db.lock().await.mark_official_read(id)?;
        self.emit(crate::events::CoreEvent::SubscriptionsChanged);
        Ok(())
    }

    pub async fn react_article(&self, id: Uuid, reaction: Reaction) -> CoreResult<Article> {
        self.authed_json(
            Method::PUT,
            format!("/articles/{id}/reaction"),
            Some(reaction),
        )
        .await
    }

    /// Accounts matching `q`, or the ones I follow or own.
    pub async fn official_accounts(&self, q: Option<String>) -> CoreResult<Vec<OfficialAccount>> {
        let path = match q {
            Some(q) => {
                let query: String = reqwest::Url::parse_with_params("x:", [("q", q)])
                    .map(|u| u.query().unwrap_or_default().to_string())
                    .unwrap_or_default();
                format!("/official-accounts?{query}")
            }
            // The accounts I follow or own: kept, they fill the chat list offline.
            None => {
                let list: OfficialAccountList = self
                    .cached_get("accounts", "/official-accounts".into())
                    .await?;
                return Ok(list.accounts);
            }
        };
        let list: OfficialAccountList = self.authed_json::<(), _>(Method::GET, path, None).await?;
        Ok(list.accounts)
    }

    pub async fn follow_official(&self, id: Uuid, follow: bool) -> CoreResult<OfficialAccount> {
        let path = format!("/official-accounts/{id}/follow");
        if follow {
            self.authed_json(Method::PUT, path, Some(Follow::default()))
                .await
        } else {
            self.authed_json::<(), _>(Method::DELETE, path, None).await
        }
    }

    /// My chat with an account, oldest first, with its menu.
    pub async fn official_chat(&self, id: Uuid) -> CoreResult<OfficialChat> {
        self.cached_get(
            &format!("chat:{id}"),
            format!("/official-accounts/{id}/messages"),
        )
        .await
    }

    /// Writes to an account (or taps a menu keyword); answers what was added to the chat.
    pub async fn message_official(
        &self,
        id: Uuid,
        text: String,
        from_menu: bool,
    ) -> CoreResult<Vec<OfficialMessage>> {
        self.authed_json(
            Method::POST,
            format!("/official-accounts/{id}/messages"),
            Some(SendOfficialMessage { text, from_menu }),
        )
        .await
    }

    /// An account's broadcasts to all its followers, newest first (its profile's history).
    pub async fn official_history(&self, id: Uuid) -> CoreResult<BroadcastList> {
        self.cached_get(
            &format!("history:{id}"),
            format!("/official-accounts/{id}/broadcasts"),
        )
        .await
    }
}
