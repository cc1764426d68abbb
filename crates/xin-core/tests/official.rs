#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Official accounts through the engine: a broadcast and a staff answer count as unread per
//! account until looked at, and what was read once (the subscriptions feed, the accounts I
//! follow, an account's chat and history, an article) opens again with the server gone.
mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use uuid::Uuid;
use xin_core::official_cache::OfficialUnread;
use xin_proto::OfficialKind;

fn id_of(v: &serde_json::Value) -> Uuid {
    v["id"].as_str().unwrap().parse().unwrap()
}

async fn unread(p: &Person) -> Vec<OfficialUnread> {
    p.engine.official_unread().await.unwrap()
}

#[tokio::test]
async fn unread_counts_per_account_and_everything_read_opens_offline() {
    let mut server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let daily = id_of(
        &alice
            .phone_post(
                "/official-accounts",
                json!({"handle": "cragdaily", "name": "Crag Daily", "kind": "subscription"}),
            )
            .await,
    );
    let summit = id_of(
        &alice
            .phone_post(
                "/official-accounts",
                json!({"handle": "summit", "name": "Summit Coffee", "kind": "service"}),
            )
            .await,
    );
    bob.engine.follow_official(daily, true).await.unwrap();
    bob.engine.follow_official(summit, true).await.unwrap();
    assert!(unread(&bob).await.is_empty(), "nothing arrived yet");

    let article = id_of(
        &alice
            .phone_post(
                &format!("/official-accounts/{daily}/articles"),
                json!({"title": "New route on the north face", "body_html": "<p>Seven pitches.</p>"}),
            )
            .await,
    );
    alice
        .phone_post(
            &format!("/official-accounts/{daily}/broadcasts"),
            json!({"articles": [article]}),
        )
        .await;
    bob.engine
        .message_official(summit, "Open on Sunday?".into(), false)
        .await
        .unwrap();
    alice
        .phone_post(
            &format!("/official-accounts/{summit}/followers/{}/messages", bob.id),
            json!({"text": "Yes, from eight."}),
        )
        .await;

    let counted = wait_for(
        "both accounts unread",
        Duration::from_secs(10),
        async || {
            let u = unread(&bob).await;
            (u.len() == 2).then_some(u)
        },
    )
    .await;
    let of = |id: Uuid| counted.iter().find(|u| u.account_id == id).unwrap().clone();
    assert_eq!(
        of(daily),
        OfficialUnread {
            account_id: daily,
            kind: Some(OfficialKind::Subscription),
            broadcasts: 1,
            messages: 0
        }
    );
    // Bob's own message is not unread to him; the answer is.
    assert_eq!((of(summit).broadcasts, of(summit).messages), (0, 1));

    // Looking at Subscriptions reads the subscription accounts only; opening the chat, the rest.
    bob.engine.mark_official_read(None).await.unwrap();
    let left: Vec<Uuid> = unread(&bob).await.iter().map(|u| u.account_id).collect();
    assert_eq!(left, vec![summit]);
    bob.engine.mark_official_read(Some(summit)).await.unwrap();
    assert!(unread(&bob).await.is_empty());

    // Read once online...
    let feed = bob.engine.subscriptions().await.unwrap();
    let accounts = bob.engine.official_accounts(None).await.unwrap();
    let chat = bob.engine.official_chat(summit).await.unwrap();
    let history = bob.engine.official_history(daily).await.unwrap();
    let opened = bob.engine.article(article).await.unwrap();
    assert_eq!(
        feed.broadcasts[0].articles[0].title,
        "New route on the north face"
    );
    assert_eq!(chat.messages.len(), 2);
    // Search finds the delivered article by its title, offline too (below).
    let hits = bob
        .engine
        .search("north face".into())
        .await
        .unwrap()
        .articles;
    assert_eq!(
        (hits.len(), hits[0].account_name.as_str()),
        (1, "Crag Daily")
    );

    // ...and again with the server gone.
    server.stop().await;
    let offline = bob.engine.subscriptions().await.unwrap();
    assert_eq!(offline.broadcasts, feed.broadcasts);
    assert_eq!(bob.engine.official_accounts(None).await.unwrap(), accounts);
    assert_eq!(
        bob.engine.official_chat(summit).await.unwrap().messages,
        chat.messages
    );
    assert_eq!(
        bob.engine.official_history(daily).await.unwrap().broadcasts,
        history.broadcasts
    );
    assert_eq!(bob.engine.article(article).await.unwrap(), opened);
    assert_eq!(
        bob.engine
            .search("NORTH".into())
            .await
            .unwrap()
            .articles
            .len(),
        1
    );
    // What was never read has nothing to show: an error, not an empty page.
    assert!(bob.engine.official_chat(daily).await.is_err());
    // Searching needs the server.
    assert!(bob
        .engine
        .official_accounts(Some("crag".into()))
        .await
        .is_err());
}
