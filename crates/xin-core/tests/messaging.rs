#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Messaging through real engines, real caches and a real server.
mod common;

use common::*;
use xin_core::views::SendState;

#[tokio::test]
async fn alice_and_bob_chat_and_read_markers_follow_bob_to_his_other_computer() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;

    alice.say(chat, "Hi Bob!").await;
    alice.say(chat, "Climbing on Saturday?").await;
    bob.expect(chat, &["Hi Bob!", "Climbing on Saturday?"])
        .await;
    bob.expect_unread(chat, 2).await;
    alice.expect_unread(chat, 0).await;

    let bob2 = bob.second_device(&server).await;
    bob2.expect(chat, &["Hi Bob!", "Climbing on Saturday?"])
        .await;
    bob2.expect_unread(chat, 2).await;

    bob.engine.mark_read(chat).await.unwrap();
    bob.expect_unread(chat, 0).await;
    bob2.expect_unread(chat, 0).await;

    bob2.say(chat, "Yes! 9:00?").await;
    alice
        .expect(chat, &["Hi Bob!", "Climbing on Saturday?", "Yes! 9:00?"])
        .await;
    bob.expect(chat, &["Hi Bob!", "Climbing on Saturday?", "Yes! 9:00?"])
        .await;
    alice.expect_unread(chat, 1).await;
}

#[tokio::test]
async fn a_send_shows_pending_at_once_and_then_sent() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;
    let shown = alice
        .engine
        .send_text(chat, "on my way".into(), None, vec![], false)
        .await
        .unwrap();
    assert_eq!(shown.state, SendState::Pending);
    alice.expect(chat, &["on my way"]).await;
    let page = alice.engine.messages(chat, None).await.unwrap();
    assert_eq!(
        page.len(),
        1,
        "the pending copy was replaced, not duplicated"
    );
    assert_eq!(page[0].message.client_id, shown.message.client_id);
}

#[tokio::test]
async fn messages_typed_while_the_server_is_down_go_out_in_order_once_it_is_back() {
    let mut server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;
    alice.say(chat, "before").await;
    bob.expect(chat, &["before"]).await;

    server.stop().await;
    for text in ["one", "two", "three"] {
        alice.say(chat, text).await;
    }
    let pending = alice.engine.messages(chat, None).await.unwrap();
    assert_eq!(
        pending
            .iter()
            .filter(|m| m.state == SendState::Pending)
            .count(),
        3
    );

    server.restart().await;
    bob.expect(chat, &["before", "one", "two", "three"]).await;
    alice.expect(chat, &["before", "one", "two", "three"]).await;
    assert!(alice
        .engine
        .messages(chat, None)
        .await
        .unwrap()
        .iter()
        .all(|m| m.state == SendState::Sent));
}

#[tokio::test]
async fn a_refused_send_is_marked_failed_and_can_be_retried() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;
    bob.engine.set_blocked(alice.id, true).await.unwrap();
    let shown = alice
        .engine
        .send_text(chat, "hello?".into(), None, vec![], false)
        .await
        .unwrap();
    until!(
        alice,
        "failed",
        alice
            .engine
            .messages(chat, None)
            .await
            .unwrap()
            .iter()
            .any(|m| m.state == SendState::Failed)
    );
    // A later message is not held up by the failed one... once unblocked, retry sends it.
    bob.engine.set_blocked(alice.id, false).await.unwrap();
    alice
        .engine
        .retry_send(chat, shown.message.client_id)
        .await
        .unwrap();
    bob.expect(chat, &["hello?"]).await;
}

#[tokio::test]
async fn recall_shows_everywhere_and_delete_is_for_me() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;
    alice.say(chat, "oops").await;
    alice.say(chat, "real one").await;
    bob.expect(chat, &["oops", "real one"]).await;
    let oops = alice.engine.messages(chat, None).await.unwrap()[0]
        .message
        .id;
    alice.engine.recall(chat, oops).await.unwrap();
    bob.expect(chat, &["<recalled>", "real one"]).await;
    let real = bob.engine.messages(chat, None).await.unwrap()[1].message.id;
    bob.engine.delete_for_me(chat, real).await.unwrap();
    bob.expect(chat, &["<recalled>"]).await;
    alice.expect(chat, &["<recalled>", "real one"]).await;
}

#[tokio::test]
async fn a_group_of_three_with_a_removed_member() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let carol = Person::join(&server, "carol", "13800000003").await;
    alice.befriend(&carol).await;
    let group = alice
        .engine
        .create_group("Climbing".into(), vec![bob.id, carol.id])
        .await
        .unwrap()
        .id;
    let created = "[Alice created the group with Bob, Carol]";
    carol.expect(group, &[created]).await;
    // The chat list says what happened, for the UI to put in the reader's language.
    let row = chat_row(&carol, group).await;
    assert!(
        matches!(&row.preview_event, Some(xin_proto::SystemEvent::GroupCreated { by, with }) if by.name == "Alice" && with.len() == 2),
        "{:?}",
        row.preview_event
    );
    bob.say(group, "hi all").await;
    carol.expect(group, &[created, "hi all"]).await;
    let row = chat_row(&carol, group).await;
    assert_eq!(row.preview_event, None, "a text is not a system line");

    alice.engine.remove_member(group, carol.id).await.unwrap();
    alice.say(group, "carol is gone").await;
    bob.expect(
        group,
        &[created, "hi all", "[Alice removed Carol]", "carol is gone"],
    )
    .await;
    carol
        .expect(group, &[created, "hi all", "[Alice removed Carol]"])
        .await;
    let chats = carol.engine.chats().await.unwrap();
    assert!(
        !chats
            .iter()
            .find(|c| c.conversation.id == group)
            .unwrap()
            .conversation
            .active
    );
}

#[tokio::test]
async fn drafts_and_the_chat_list_survive_a_restart_before_the_network_answers() {
    let mut server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;
    bob.say(chat, "see you").await;
    alice.expect(chat, &["see you"]).await;
    alice
        .engine
        .set_draft(chat, "half-typed".into())
        .await
        .unwrap();
    server.stop().await;
    // Reopen the same cache with the server down: everything is still there.
    let chats = alice.engine.chats().await.unwrap();
    let row = chats.iter().find(|c| c.conversation.id == chat).unwrap();
    assert_eq!(row.draft, "half-typed");
    assert_eq!(row.preview, "see you");
    assert_eq!(alice.texts(chat).await, ["see you"]);
    server.restart().await;
}

/// The next `Incoming` event that `wanted` accepts, within 20 s.
async fn next_incoming(
    events: &mut tokio::sync::broadcast::Receiver<xin_core::CoreEvent>,
    wanted: impl Fn(&xin_core::notify::Incoming) -> bool,
) -> xin_core::notify::Incoming {
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            if let Ok(xin_core::CoreEvent::Incoming { message }) = events.recv().await {
                if wanted(&message) {
                    return message;
                }
            }
        }
    })
    .await
    .expect("an Incoming event")
}

#[tokio::test]
async fn live_messages_from_others_raise_incoming_events_with_the_mute_flag_in_the_readers_language(
) {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let chat = alice.chat_with(&bob).await;
    let mut events = bob.engine.subscribe();
    bob.say(chat, "my own words").await;
    alice.say(chat, "hello Bob").await;
    let incoming = next_incoming(&mut events, |_| true).await;
    assert_eq!(
        (
            incoming.text.as_str(),
            incoming.sender.as_str(),
            incoming.muted
        ),
        ("hello Bob", "Alice", false)
    );
    assert_eq!(incoming.title, "Alice");

    bob.engine
        .set_chat_settings(chat, false, true)
        .await
        .unwrap();
    until!(
        bob,
        "muted",
        bob.engine
            .chats()
            .await
            .unwrap()
            .iter()
            .any(|c| c.conversation.muted)
    );
    alice.say(chat, "quietly").await;
    let muted = next_incoming(&mut events, |m| m.text == "quietly").await;
    assert!(muted.muted);
    assert_eq!(
        xin_core::notify::notification(&muted, true, xin_core::language::Language::English),
        None,
        "muted chats do not notify"
    );

    // A file notifies too, and Bob reads Chinese: the notification and the chat list say
    // what arrived in his language, and switching back rewords the list.
    bob.engine
        .set_language(xin_core::language::Language::SimplifiedChinese);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"bring the rope").unwrap();
    alice.engine.send_files(chat, vec![path]).await.unwrap();
    let file = next_incoming(&mut events, |_| true).await;
    assert_eq!(file.text, "[文件] notes.txt");
    let preview = |bob: &Person| {
        let engine = bob.engine.clone();
        async move { engine.chats().await.unwrap()[0].preview.clone() }
    };
    assert_eq!(preview(&bob).await, "[文件] notes.txt");
    bob.engine
        .set_language(xin_core::language::Language::English);
    assert_eq!(preview(&bob).await, "[File] notes.txt");
}

#[tokio::test]
async fn my_remark_for_a_friend_shows_in_the_chat_list() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let carol = Person::join(&server, "carol", "13800000003").await;
    alice.befriend(&carol).await;
    alice
        .engine
        .set_remark(bob.id, "Bobby (climbing)".into())
        .await
        .unwrap();
    until!(
        alice,
        "the remark",
        alice
            .engine
            .contacts()
            .await
            .unwrap()
            .contacts
            .iter()
            .any(|c| c.remark.as_deref() == Some("Bobby (climbing)"))
    );
    let group = alice
        .engine
        .create_group("Crew".into(), vec![bob.id, carol.id])
        .await
        .unwrap()
        .id;
    bob.say(group, "hi all").await;
    alice
        .expect(
            group,
            &["[Alice created the group with Bob, Carol]", "hi all"],
        )
        .await;
    let row = alice
        .engine
        .chats()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.conversation.id == group)
        .unwrap();
    assert_eq!(row.preview, "Bobby (climbing): hi all");
    let direct = alice.chat_with(&bob).await;
    until!(
        alice,
        "the direct chat titled by remark",
        alice
            .engine
            .chats()
            .await
            .unwrap()
            .iter()
            .any(|c| c.conversation.id == direct && c.conversation.title == "Bobby (climbing)")
    );
}

/// Group changes travel as small deltas (wire v2); each member's cache applies them to the
/// conversation it holds, and a newcomer gets the whole group once.
#[tokio::test]
async fn group_changes_reach_every_cache_as_deltas() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let carol = Person::join(&server, "carol", "13800000003").await;
    alice.befriend(&carol).await;
    let group = alice
        .engine
        .create_group("Climbing".into(), vec![bob.id])
        .await
        .unwrap()
        .id;
    bob.expect(group, &["[Alice created the group with Bob]"])
        .await;
    alice
        .engine
        .update_group(group, Some("Bouldering".into()), Some("Fridays 7pm".into()))
        .await
        .unwrap();
    alice
        .engine
        .add_members(group, vec![carol.id])
        .await
        .unwrap();
    alice
        .engine
        .set_role(group, bob.id, xin_proto::Role::Admin)
        .await
        .unwrap();
    alice.say(group, "all set").await;
    let conversation_of = |p: &Person| {
        let engine = p.engine.clone();
        async move {
            engine
                .chats()
                .await
                .unwrap()
                .into_iter()
                .find(|c| c.conversation.id == group)
                .map(|c| c.conversation)
        }
    };
    for p in [&bob, &carol] {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let c = conversation_of(p).await;
            let ok = c.as_ref().is_some_and(|c| {
                c.title == "Bouldering"
                    && c.announcement == "Fridays 7pm"
                    && c.members.len() == 3
                    && c.members
                        .iter()
                        .any(|m| m.user.id == bob.id && m.role == xin_proto::Role::Admin)
            });
            if ok {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}'s cache never caught up: {c:?}",
                p.handle
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    // "all set" leaves through Alice's outbox: let it land before the next change.
    let before_removal = [
        "[Alice created the group with Bob]",
        "[Alice renamed the group to \"Bouldering\"]",
        "[Alice updated the announcement]",
        "[Alice added Carol]",
        "[Bob is now an admin]",
        "all set",
    ];
    bob.expect(group, &before_removal).await;
    alice.engine.remove_member(group, carol.id).await.unwrap();
    alice.say(group, "bye carol").await;
    let mut after_removal = before_removal.to_vec();
    after_removal.extend(["[Alice removed Carol]", "bye carol"]);
    bob.expect(group, &after_removal).await;
    let members = conversation_of(&bob).await.unwrap().members;
    assert_eq!(members.len(), 2);
    assert!(!members.iter().any(|m| m.user.id == carol.id));
    assert!(!conversation_of(&carol).await.unwrap().active);
}

/// `p`'s chat-list row for `conv`.
async fn chat_row(p: &Person, conv: uuid::Uuid) -> xin_core::views::ChatSummary {
    p.engine
        .chats()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.conversation.id == conv)
        .unwrap()
}
