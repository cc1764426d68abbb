//! Keeping the cache current: apply pushed events in seq order; on a gap, a reconnect or a
//! first sign-in, fetch what is missing in large pages, each applied in one transaction.

use std::sync::Arc;

use xin_proto::{ContactList, ConversationList, Event, EventPage};

use crate::{
    api::Method, chat_cache::Changes, engine::Engine, error::CoreResult, events::CoreEvent,
    session::AccountSession,
};

/// Events per catch-up request.
const PAGE: i64 = 5000;

/// Live messages from others become `Incoming` events (the shell decides about notifying),
/// worded in the user's language: a photo says "[Photo]", as the chat list does.
async fn announce_incoming(
    engine: &Engine,
    account: &Arc<AccountSession>,
    messages: &[xin_proto::Message],
) {
    for m in messages {
        let mentions_me = match &m.content {
            xin_proto::Content::Text {
                mentions,
                mention_all,
                ..
            } => *mention_all || mentions.contains(&account.user.id),
            xin_proto::Content::System { .. } => continue,
            _ => false,
        };
        if m.sender_id == account.user.id || m.recalled {
            continue;
        }
        let Ok(Some(c)) = account.db.lock().await.conversation(m.conversation_id) else {
            continue;
        };
        let sender = c
            .members
            .iter()
            .find(|x| x.user.id == m.sender_id)
            .map(|x| x.user.display_name.clone())
            .unwrap_or_default();
        engine.emit(CoreEvent::Incoming {
            message: crate::notify::Incoming {
                conversation_id: c.id,
                title: c.title.clone(),
                sender,
                text: crate::preview::one_line(&m.content, engine.language()),
                muted: c.muted,
                group: c.kind == xin_proto::ConversationKind::Group,
                mentions_me,
            },
        });
    }
}

pub fn emit_changes(engine: &Engine, changes: Changes) {
    if changes.chats {
        engine.emit(CoreEvent::ChatsChanged);
    }
    for conversation_id in changes.conversations {
        engine.emit(CoreEvent::MessagesChanged { conversation_id });
    }
    if changes.contacts {
        engine.emit(CoreEvent::ContactsChanged);
    }
    if changes.wallet {
        engine.emit(CoreEvent::WalletChanged);
    }
    if changes.moments {
        engine.emit(CoreEvent::MomentsChanged);
    }
    if changes.subscriptions {
        engine.emit(CoreEvent::SubscriptionsChanged);
    }
}

/// Applies one pushed event; a gap triggers a catch-up.
pub async fn on_event(
    engine: &Engine,
    account: &Arc<AccountSession>,
    event: Event,
) -> CoreResult<()> {
    let (mut changes, gap) = account
        .db
        .lock()
        .await
        .apply(std::slice::from_ref(&event))?;
    let new = std::mem::take(&mut changes.new_messages);
    emit_changes(engine, changes);
    announce_incoming(engine, account, &new).await;
    if let xin_proto::EventBody::Payment { payment, .. } = &event.body {
        if payment.payee_id == account.user.id {
            engine.emit(CoreEvent::PaymentReceived {
                payment: payment.clone(),
            });
        }
    }
    if gap {
        catch_up(engine, account).await?;
    }
    Ok(())
}

/// Brings the cache up to the head of the user's event log.
pub async fn catch_up(engine: &Engine, account: &Arc<AccountSession>) -> CoreResult<()> {
    if account.db.lock().await.last_seq()? == 0 {
        snapshot(engine, account).await?;
    }
    loop {
        let after = account.db.lock().await.last_seq()?;
        let api = account.api.clone();
        let page: EventPage = account
            .with_access(|access| {
                let api = api.clone();
                let path = format!(
                    "/events?after={after}&limit={PAGE}&v={}",
                    xin_proto::WIRE_VERSION
                );
                async move {
                    api.send_json::<(), _>(Method::GET, &path, &access, None)
                        .await
                }
            })
            .await?;
        let (changes, _) = account.db.lock().await.apply(&page.events)?;
        emit_changes(engine, changes);
        let now = account.db.lock().await.last_seq()?;
        if page.events.is_empty() || now >= page.head || now == after {
            return Ok(());
        }
    }
}

/// A new device starts from the current state instead of replaying the whole log: read the
/// log's head first, then the state; events after the head are applied on top (idempotently).
async fn snapshot(engine: &Engine, account: &Arc<AccountSession>) -> CoreResult<()> {
    let api = account.api.clone();
    let head: EventPage = account
        .with_access(|access| {
            let api = api.clone();
            async move {
                api.send_json::<(), _>(Method::GET, "/events?after=0&limit=1", &access, None)
                    .await
            }
        })
        .await?;
    let conversations: ConversationList = account
        .with_access(|access| {
            let api = api.clone();
            async move {
                api.send_json::<(), _>(Method::GET, "/conversations", &access, None)
                    .await
            }
        })
        .await?;
    let contacts: ContactList = account
        .with_access(|access| {
            let api = api.clone();
            async move {
                api.send_json::<(), _>(Method::GET, "/contacts", &access, None)
                    .await
            }
        })
        .await?;
    {
        let mut db = account.db.lock().await;
        for c in &conversations.conversations {
            db.save_conversation(c)?;
        }
        db.save_contacts(&contacts.contacts, &contacts.requests)?;
        db.set_last_seq(head.head)?;
    }
    let from = (head.head - crate::moments_cache::NOTICES_LOOKBACK).max(0);
    let recent: EventPage = account
        .with_access(|access| {
            let api = api.clone();
            let path = format!(
                "/events?after={from}&limit={}&v={}",
                crate::moments_cache::NOTICES_LOOKBACK,
                xin_proto::WIRE_VERSION
            );
            async move {
                api.send_json::<(), _>(Method::GET, &path, &access, None)
                    .await
            }
        })
        .await?;
    account.db.lock().await.keep_notices(&recent.events)?;
    // Each conversation's newest page, so opening a chat shows history at once.
    for c in &conversations.conversations {
        if c.active {
            crate::chats::fetch_older(account, c.id, None).await?;
        }
    }
    engine.emit(CoreEvent::ChatsChanged);
    engine.emit(CoreEvent::ContactsChanged);
    engine.emit(CoreEvent::MomentsChanged);
    Ok(())
}
