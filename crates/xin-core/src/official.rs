//! Official accounts as the desktop reads them: the subscriptions feed, articles, reactions and
//! following. Read from the server when a broadcast arrives (not cached yet).

use reqwest::Method;
use uuid::Uuid;
use xin_proto::{
    Article, BroadcastList, Follow, OfficialAccount, OfficialAccountList, OfficialChat,
    OfficialMessage, Reaction, SendOfficialMessage,
};

use crate::{engine::Engine, error::CoreResult};

impl Engine {
    /// Broadcasts delivered to me, newest first.
    pub async fn subscriptions(&self) -> CoreResult<BroadcastList> {
        self.authed_json::<(), _>(Method::GET, "/subscriptions".into(), None)
            .await
    }

    /// An article (the server counts the read).
    pub async fn article(&self, id: Uuid) -> CoreResult<Article> {
        self.authed_json::<(), _>(Method::GET, format!("/articles/{id}"), None)
            .await
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
            None => "/official-accounts".into(),
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
        self.authed_json::<(), _>(
            Method::GET,
            format!("/official-accounts/{id}/messages"),
            None,
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
        self.authed_json::<(), _>(
            Method::GET,
            format!("/official-accounts/{id}/broadcasts"),
            None,
        )
        .await
    }
}
