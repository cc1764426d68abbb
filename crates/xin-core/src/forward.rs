//! Forwarding: one message or several, to one or more chats, each as it was or merged into one
//! "chat history" card that opens into them.

use uuid::Uuid;
use xin_proto::{Content, HistoryItem, Message, MAX_HISTORY_ITEMS};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
};

/// What a forwarded copy of `m` holds: its content as sent, less what only meant something in
/// its own chat (mentions). Money, system lines and recalled messages do not travel.
pub fn forwardable(m: &Message) -> Option<Content> {
    if m.recalled {
        return None;
    }
    match &m.content {
        Content::Text { text, .. } => Some(Content::Text {
            text: text.clone(),
            mentions: Vec::new(),
            mention_all: false,
        }),
        Content::Image { .. }
        | Content::File { .. }
        | Content::Voice { .. }
        | Content::Video { .. }
        | Content::Article { .. }
        | Content::MiniProgram { .. }
        | Content::History { .. } => Some(m.content.clone()),
        Content::System { .. }
        | Content::Call { .. }
        | Content::Transfer { .. }
        | Content::RedEnvelope { .. }
        | Content::Unsupported => None,
    }
}

impl Engine {
    /// Sends copies of `messages` (from chat `from`, in their order there) to every chat in
    /// `to`: one by one, or merged into one card. Each copy goes through the outbox like a
    /// typed message, so it survives a cut link and a restart.
    pub async fn forward(
        &self,
        from: Uuid,
        messages: Vec<Uuid>,
        to: Vec<Uuid>,
        merged: bool,
    ) -> CoreResult<()> {
        if messages.is_empty() || to.is_empty() {
            return Err(CoreError::invalid("Choose messages and at least one chat."));
        }
        let account = self.signed_in().await?;
        let (mut picked, source) = {
            let mut db = account.db.lock().await;
            let picked = db.messages_by_id(from, &messages)?;
            (picked, db.conversation(from)?)
        };
        picked.sort_by_key(|m| (m.seq, m.created_at));
        let contents: Vec<(Message, Content)> = picked
            .into_iter()
            .filter_map(|m| forwardable(&m).map(|c| (m, c)))
            .collect();
        if contents.is_empty() {
            return Err(CoreError::invalid("These messages cannot be forwarded (money, system lines and recalled messages stay in their chat)."));
        }
        let outgoing: Vec<Content> = if merged {
            if contents.len() > MAX_HISTORY_ITEMS {
                return Err(CoreError::invalid("Merge at most 100 messages at a time."));
            }
            let name = |id: Uuid| {
                source
                    .as_ref()
                    .and_then(|c| c.members.iter().find(|m| m.user.id == id))
                    .map(|m| m.user.display_name.clone())
                    .unwrap_or_else(|| "?".into())
            };
            let title = match &source {
                Some(c) if c.kind == xin_proto::ConversationKind::Group => {
                    format!("Group chat: {}", c.title)
                }
                Some(c) => {
                    let mut names: Vec<String> = c
                        .members
                        .iter()
                        .map(|m| m.user.display_name.clone())
                        .collect();
                    names.sort();
                    names.dedup();
                    format!("Chat history of {}", names.join(" and "))
                }
                None => "Chat history".into(),
            };
            let title: String = title.chars().take(64).collect();
            let items = contents
                .into_iter()
                .map(|(m, content)| HistoryItem {
                    sender_name: name(m.sender_id).chars().take(64).collect(),
                    created_at: m.created_at,
                    content: match content {
                        // A card inside a card would nest without end: its title stands in.
                        Content::History { title, .. } => Content::Text {
                            text: format!("[Chat history] {title}"),
                            mentions: Vec::new(),
                            mention_all: false,
                        },
                        c => c,
                    },
                })
                .collect();
            vec![Content::History { title, items }]
        } else {
            contents.into_iter().map(|(_, c)| c).collect()
        };
        for conv in to {
            for content in &outgoing {
                self.enqueue_content(conv, content.clone(), None).await?;
            }
        }
        Ok(())
    }

    /// Deletes several messages from this computer's view of a chat ("delete for me").
    pub async fn delete_many_for_me(&self, conv: Uuid, messages: Vec<Uuid>) -> CoreResult<()> {
        for m in messages {
            self.delete_for_me(conv, m).await?;
        }
        Ok(())
    }
}
