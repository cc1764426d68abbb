#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Forwarding through the engine and the real server: messages one by one to two chats at
//! once, and merged into one "chat history" card whose photo the new chat's members may
//! download (they were never in the chat it came from); mentions do not travel, money and
//! system lines are refused; several messages are deleted at once.
mod common;

use std::time::Duration;

use common::*;
use xin_proto::Content;

#[tokio::test]
async fn forwarding_one_by_one_and_merged_with_a_photo_the_new_chat_may_open() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let carol = Person::join(&server, "carol", "+15550000333").await;
    alice.befriend(&carol).await;
    let with_bob = alice.chat_with(&bob).await;
    let with_carol = alice.chat_with(&carol).await;
    let notes = alice.engine.open_file_transfer().await.unwrap().id;

    alice
        .say(with_bob, "Route beta: start left, then the crack")
        .await;
    let bob_side = bob.chat_with(&alice).await;
    bob.say(bob_side, "And clip the third bolt early").await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("topo.png");
    image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]))
        .save(&photo)
        .unwrap();
    alice
        .engine
        .send_files(with_bob, vec![photo.clone()])
        .await
        .unwrap();
    let sent = wait_for("the photo sent", Duration::from_secs(20), async || {
        let all = alice.engine.messages(with_bob, None).await.unwrap();
        (all.len() == 3
            && all
                .iter()
                .all(|m| m.state == xin_core::views::SendState::Sent))
        .then_some(all)
    })
    .await;
    let ids: Vec<_> = sent.iter().map(|m| m.message.id).collect();
    let hash = match &sent[2].message.content {
        Content::Image { blob, .. } => blob.hash.clone(),
        other => panic!("not a photo: {other:?}"),
    };

    // One by one, to Carol and to File Transfer at once.
    alice
        .engine
        .forward(with_bob, ids[..2].to_vec(), vec![with_carol, notes], false)
        .await
        .unwrap();
    let want = [
        "Route beta: start left, then the crack",
        "And clip the third bolt early",
    ];
    alice.expect(with_carol, &want).await;
    alice.expect(notes, &want).await;
    let carol_side = carol.chat_with(&alice).await;
    carol.expect(carol_side, &want).await;

    // Merged: one card that holds all three, in order, with who said what.
    alice
        .engine
        .forward(with_bob, ids.clone(), vec![with_carol], true)
        .await
        .unwrap();
    let card = wait_for("the card at Carol's", Duration::from_secs(20), async || {
        carol
            .engine
            .messages(carol_side, None)
            .await
            .unwrap()
            .into_iter()
            .find(|m| matches!(m.message.content, Content::History { .. }))
    })
    .await;
    let Content::History { title, items } = &card.message.content else {
        unreachable!()
    };
    assert_eq!(title, "Chat history of Alice and Bob");
    let lines: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            let what = match &i.content {
                Content::Text { text, .. } => text.clone(),
                Content::Image { .. } => "[Photo]".into(),
                other => format!("{other:?}"),
            };
            (i.sender_name.clone(), what)
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Alice".to_string(), want[0].to_string()),
            ("Bob".to_string(), want[1].to_string()),
            ("Alice".to_string(), "[Photo]".to_string()),
        ]
    );
    // Carol was never in Alice and Bob's chat, yet the card's photo opens for her.
    let file = carol.engine.media_file(&hash).await.unwrap();
    assert_eq!(std::fs::read(file).unwrap(), std::fs::read(&photo).unwrap());
    // Search finds the card by its words.
    let found = carol.engine.search("third bolt".into()).await.unwrap();
    assert!(found
        .messages
        .iter()
        .any(|h| h.message.id == card.message.id));

    // Nothing forwardable: a clear refusal, nothing sent.
    let refused = alice
        .engine
        .forward(
            with_bob,
            vec![uuid::Uuid::now_v7()],
            vec![with_carol],
            false,
        )
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("cannot be forwarded"),
        "{refused}"
    );

    // Several deleted at once, from this computer's view.
    alice
        .engine
        .delete_many_for_me(with_carol, {
            let m = alice.engine.messages(with_carol, None).await.unwrap();
            m.iter().take(2).map(|m| m.message.id).collect()
        })
        .await
        .unwrap();
    let left = alice.engine.messages(with_carol, None).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(matches!(left[0].message.content, Content::History { .. }));
}
