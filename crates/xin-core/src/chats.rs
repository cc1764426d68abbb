//! Chats and contacts as the UI uses them: reads come from the cache, writes go to the server
//! (sends through the outbox), and the resulting events update the cache.

use std::sync::Arc;

use serde_json::json;
use uuid::Uuid;
use xin_proto::{
    Content, Conversation, FriendRequest, MessagePage, Role, SendMessage, UserProfile, UserSearch,
};

use crate::{
    api::Method,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::CoreEvent,
    session::AccountSession,
    views::{ChatMessage, ChatSummary, ContactsView},
};

/// Messages per history page.
pub const PAGE: u32 = 50;

/// Fetches the page before `before_seq` (newest when None) from the server into the cache.
pub(crate) async fn fetch_older(
    account: &Arc<AccountSession>,
    conv: Uuid,
    before_seq: Option<i64>,
) -> CoreResult<usize> {
    let api = account.api.clone();
    let path = match before_seq {
        Some(b) => format!("/conversations/{conv}/messages?before={b}&limit={PAGE}"),
        None => format!("/conversations/{conv}/messages?limit={PAGE}"),
    };
    let page: MessagePage = account
        .with_access(|access| {
            let (api, path) = (api.clone(), path.clone());
            async move {
                api.send_json::<(), _>(Method::GET, &path, &access, None)
                    .await
            }
        })
        .await?;
    let mut db = account.db.lock().await;
    db.store_history(&page.messages)?;
    db.refresh_preview(conv)?;
    Ok(page.messages.len())
}

impl Engine {
    /// An authenticated call through the signed-in account (refreshing its token if needed).
    async fn request<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<serde_json::Value>,
    ) -> CoreResult<Option<T>> {
        let account = self.signed_in().await?;
        let api = account.api.clone();
        account
            .with_access(|access| {
                let (api, path, body, method) =
                    (api.clone(), path.clone(), body.clone(), method.clone());
                async move { api.send(method, &path, &access, body.as_ref()).await }
            })
            .await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<serde_json::Value>,
    ) -> CoreResult<T> {
        self.request(method, path, body)
            .await?
            .ok_or_else(|| CoreError::Protocol("empty answer".into()))
    }

    async fn call_empty(
        &self,
        method: Method,
        path: String,
        body: Option<serde_json::Value>,
    ) -> CoreResult<()> {
        self.request::<serde_json::Value>(method, path, body)
            .await
            .map(|_| ())
    }

    /// The chat list, pinned first, then by last activity.
    pub async fn chats(&self) -> CoreResult<Vec<ChatSummary>> {
        let lang = self.language();
        self.signed_in().await?.db.lock().await.chats(lang)
    }

    /// A page of a conversation from the cache, oldest first. Scrolling up passes the oldest
    /// seq shown; when the cache has nothing older, the page comes from the server.
    pub async fn messages(
        &self,
        conv: Uuid,
        before_seq: Option<i64>,
    ) -> CoreResult<Vec<ChatMessage>> {
        let account = self.signed_in().await?;
        let cached = account.db.lock().await.messages(conv, before_seq, PAGE)?;
        let has_sent = cached
            .iter()
            .any(|m| m.state == crate::views::SendState::Sent);
        let at_start = cached.first().is_some_and(|m| m.message.seq == 1);
        if before_seq.is_some()
            && !has_sent
            && !at_start
            && before_seq != Some(1)
            && fetch_older(&account, conv, before_seq).await.unwrap_or(0) > 0
        {
            return account.db.lock().await.messages(conv, before_seq, PAGE);
        }
        Ok(cached)
    }

    /// Shares an official account's article into a chat as a card (through the outbox, like
    /// text; the server fills the card from the article).
    pub async fn share_article(
        &self,
        conv: Uuid,
        article: &xin_proto::Article,
    ) -> CoreResult<ChatMessage> {
        let content = Content::Article {
            article_id: article.id,
            title: article.title.clone(),
            cover: article.cover.clone(),
            account_name: article.account_name.clone(),
        };
        self.enqueue_content(conv, content, None).await
    }

    /// Shares a mini-program into a chat as a card that opens it (the server fills the card).
    pub async fn share_mini_program(
        &self,
        conv: Uuid,
        program: &xin_proto::MiniProgram,
    ) -> CoreResult<ChatMessage> {
        let content = Content::MiniProgram {
            mini_program_id: program.id,
            name: program.name.clone(),
            publisher: program.publisher.clone(),
        };
        self.enqueue_content(conv, content, None).await
    }

    pub(crate) async fn enqueue_content(
        &self,
        conv: Uuid,
        content: Content,
        reply_to: Option<Uuid>,
    ) -> CoreResult<ChatMessage> {
        let account = self.signed_in().await?;
        let req = SendMessage {
            client_id: Uuid::now_v7(),
            content,
            reply_to,
        };
        let shown = account
            .db
            .lock()
            .await
            .enqueue(conv, account.user.id, &req)?;
        account.outbox_wake.notify_one();
        self.emit(CoreEvent::MessagesChanged {
            conversation_id: conv,
        });
        self.emit(CoreEvent::ChatsChanged);
        Ok(shown)
    }

    /// Writes the message to the outbox and shows it at once as pending.
    pub async fn send_text(
        &self,
        conv: Uuid,
        text: String,
        reply_to: Option<Uuid>,
        mentions: Vec<Uuid>,
        mention_all: bool,
    ) -> CoreResult<ChatMessage> {
        if text.trim().is_empty() {
            return Err(CoreError::invalid("Type a message first."));
        }
        let content = Content::Text {
            text,
            mentions,
            mention_all,
        };
        self.enqueue_content(conv, content, reply_to).await
    }

    /// How many sends are still in the outbox.
    pub async fn outbox_len(&self) -> CoreResult<i64> {
        self.signed_in().await?.db.lock().await.outbox_len()
    }

    /// Sends a failed message again.
    pub async fn retry_send(&self, conv: Uuid, client_id: Uuid) -> CoreResult<()> {
        let account = self.signed_in().await?;
        account.db.lock().await.retry(client_id)?;
        account.outbox_wake.notify_one();
        self.emit(CoreEvent::MessagesChanged {
            conversation_id: conv,
        });
        Ok(())
    }

    pub async fn recall(&self, conv: Uuid, message: Uuid) -> CoreResult<()> {
        self.call_empty(
            Method::POST,
            format!("/conversations/{conv}/messages/{message}/recall"),
            None,
        )
        .await
    }

    pub async fn delete_for_me(&self, conv: Uuid, message: Uuid) -> CoreResult<()> {
        self.call_empty(
            Method::POST,
            format!("/conversations/{conv}/messages/{message}/hide"),
            None,
        )
        .await
    }

    /// Marks everything in the conversation read, here at once and on the server.
    pub async fn mark_read(&self, conv: Uuid) -> CoreResult<()> {
        let account = self.signed_in().await?;
        let Some(c) = account.db.lock().await.conversation(conv)? else {
            return Ok(());
        };
        if c.unread == 0 && c.read_seq >= c.last_seq {
            return Ok(());
        }
        self.call_empty(
            Method::POST,
            format!("/conversations/{conv}/read"),
            Some(json!({"seq": c.last_seq})),
        )
        .await
    }

    pub async fn set_draft(&self, conv: Uuid, draft: String) -> CoreResult<()> {
        self.signed_in()
            .await?
            .db
            .lock()
            .await
            .set_draft(conv, &draft)
    }

    pub async fn set_chat_settings(&self, conv: Uuid, pinned: bool, muted: bool) -> CoreResult<()> {
        self.call_empty(
            Method::PUT,
            format!("/conversations/{conv}/settings"),
            Some(json!({"pinned": pinned, "muted": muted})),
        )
        .await
    }

    async fn keep(&self, c: Conversation) -> CoreResult<Conversation> {
        self.signed_in()
            .await?
            .db
            .lock()
            .await
            .save_conversation(&c)?;
        self.emit(CoreEvent::ChatsChanged);
        Ok(c)
    }

    pub async fn open_direct(&self, with: Uuid) -> CoreResult<Conversation> {
        let c = self
            .call(
                Method::POST,
                "/conversations/direct".into(),
                Some(json!({"with": with})),
            )
            .await?;
        self.keep(c).await
    }

    pub async fn open_file_transfer(&self) -> CoreResult<Conversation> {
        let c = self
            .call(Method::POST, "/conversations/self".into(), None)
            .await?;
        self.keep(c).await
    }

    pub async fn create_group(
        &self,
        title: String,
        members: Vec<Uuid>,
    ) -> CoreResult<Conversation> {
        let c = self
            .call(
                Method::POST,
                "/conversations".into(),
                Some(json!({"title": title, "members": members})),
            )
            .await?;
        self.keep(c).await
    }

    pub async fn update_group(
        &self,
        conv: Uuid,
        title: Option<String>,
        announcement: Option<String>,
    ) -> CoreResult<()> {
        self.call_empty(
            Method::PATCH,
            format!("/conversations/{conv}"),
            Some(json!({"title": title, "announcement": announcement})),
        )
        .await
    }

    pub async fn add_members(&self, conv: Uuid, users: Vec<Uuid>) -> CoreResult<()> {
        self.call_empty(
            Method::POST,
            format!("/conversations/{conv}/members"),
            Some(json!({"users": users})),
        )
        .await
    }

    /// Removes someone, or leaves when it is this user.
    pub async fn remove_member(&self, conv: Uuid, user: Uuid) -> CoreResult<()> {
        self.call_empty(
            Method::DELETE,
            format!("/conversations/{conv}/members/{user}"),
            None,
        )
        .await
    }

    pub async fn set_role(&self, conv: Uuid, user: Uuid, role: Role) -> CoreResult<()> {
        self.call_empty(
            Method::PUT,
            format!("/conversations/{conv}/members/{user}/role"),
            Some(json!({"role": role})),
        )
        .await
    }

    /// "My QR code": a friend card any phone can scan to add this user.
    pub async fn my_card(&self) -> CoreResult<crate::views::FriendCard> {
        let me = self.signed_in().await?.user.clone();
        let health = self.api().health().await?;
        let url = format!(
            "{}/m/u/{}",
            health.public_url.trim_end_matches('/'),
            me.handle
        );
        Ok(crate::views::FriendCard {
            svg: crate::qr::svg(&url)?,
            url,
            user: me,
        })
    }

    /// Saves the friend card's QR as a PNG at `path`.
    pub async fn save_card_png(&self, path: &std::path::Path) -> CoreResult<()> {
        let card = self.my_card().await?;
        let png = crate::qr::png(&card.url, 12)?;
        std::fs::write(path, png)
            .map_err(|e| CoreError::Cache(format!("save {}: {e}", path.display())))
    }

    pub async fn contacts(&self) -> CoreResult<ContactsView> {
        self.signed_in().await?.db.lock().await.contacts()
    }

    pub async fn search_users(&self, query: String) -> CoreResult<Vec<UserProfile>> {
        let q: String = query
            .trim()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '+'))
            .collect();
        let found: UserSearch = self
            .call(Method::GET, format!("/users/search?q={q}"), None)
            .await?;
        Ok(found.users)
    }

    pub async fn send_friend_request(
        &self,
        to: Uuid,
        greeting: String,
    ) -> CoreResult<FriendRequest> {
        self.call(
            Method::POST,
            "/friend-requests".into(),
            Some(json!({"to": to, "greeting": greeting})),
        )
        .await
    }

    pub async fn answer_friend_request(&self, id: Uuid, accept: bool) -> CoreResult<FriendRequest> {
        self.call(
            Method::POST,
            format!("/friend-requests/{id}/answer"),
            Some(json!({"accept": accept})),
        )
        .await
    }

    pub async fn set_remark(&self, friend: Uuid, remark: String) -> CoreResult<()> {
        self.call_empty(
            Method::PUT,
            format!("/contacts/{friend}/remark"),
            Some(json!({"remark": remark})),
        )
        .await
    }

    pub async fn delete_contact(&self, friend: Uuid) -> CoreResult<()> {
        self.call_empty(Method::DELETE, format!("/contacts/{friend}"), None)
            .await
    }

    pub async fn set_blocked(&self, user: Uuid, blocked: bool) -> CoreResult<()> {
        let method = if blocked { Method::PUT } else { Method::DELETE };
        self.call_empty(method, format!("/blocks/{user}"), None)
            .await
    }
}
