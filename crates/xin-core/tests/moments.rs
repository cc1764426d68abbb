#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Moments through the engine: a desktop posts pictures (uploaded from disk, anything but a
//! picture refused), a friend's desktop hears `moments_changed` live, likes and comments, and a
//! deleted post is gone from the friend's feed. The feed lives in the local cache too: it opens
//! and scrolls back offline, notices keep their order, and a deletion reaches every cache.
mod common;

use std::time::Duration;

use common::*;
use xin_core::CoreEvent;
use xin_proto::{MomentNoticeKind, NewPost, Visibility};

fn post(text: &str, images: Vec<String>) -> NewPost {
    NewPost {
        text: text.into(),
        images,
        link: None,
        visibility: Visibility::All,
        users: Vec::new(),
        tags: Vec::new(),
    }
}

async fn changed(events: &mut tokio::sync::broadcast::Receiver<CoreEvent>, what: &str) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while !matches!(events.recv().await, Ok(CoreEvent::MomentsChanged)) {}
    })
    .await
    .unwrap_or_else(|_| panic!("{what}: no moments_changed"));
}

#[tokio::test]
async fn a_post_with_pictures_reaches_a_friend_live_and_goes_when_deleted() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("crag.png");
    image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 8, y as u8 * 10, 120]))
        .save(&photo)
        .unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a picture").unwrap();
    let refused = alice
        .engine
        .upload_post_images(vec![text])
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("not a photo"), "{refused}");

    let images = alice
        .engine
        .upload_post_images(vec![photo.clone()])
        .await
        .unwrap();
    assert_eq!(images, [xin_core::media::hash_file(&photo).unwrap()]);
    let mut bob_events = bob.engine.subscribe();
    let post = alice
        .engine
        .create_post(post("Sunset at the crag", images.clone()))
        .await
        .unwrap();
    changed(&mut bob_events, "Alice's post").await;
    let feed = bob.engine.moments(None).await.unwrap();
    assert_eq!(feed.posts[0].id, post.id);
    assert_eq!(feed.posts[0].images, images);
    assert_eq!(
        feed.posts[0].visibility, None,
        "only the author sees the audience"
    );
    // Bob's desktop can show the picture (the media cache fetches what he may read).
    let cached = bob.engine.media_file(&images[0]).await.unwrap();
    assert_eq!(
        std::fs::read(cached).unwrap(),
        std::fs::read(&photo).unwrap()
    );

    let mut alice_events = alice.engine.subscribe();
    bob.engine.like_post(post.id, true).await.unwrap();
    let seen = bob
        .engine
        .comment_post(post.id, "Same time next week?".into(), None)
        .await
        .unwrap();
    assert_eq!(seen.likes[0].id, bob.id);
    changed(&mut alice_events, "Bob's like").await;
    let mine = alice.engine.moments(None).await.unwrap();
    assert_eq!(mine.posts[0].comments[0].text, "Same time next week?");
    assert_eq!(mine.posts[0].visibility, Some(Visibility::All));

    alice.engine.delete_post(post.id).await.unwrap();
    changed(&mut bob_events, "the deletion").await;
    assert!(bob.engine.moments(None).await.unwrap().posts.is_empty());
}

#[tokio::test]
async fn the_feed_scrolls_back_offline_notices_keep_their_order_and_deletions_reach_every_cache() {
    let mut server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let carol = Person::join(&server, "carol", "13800000003").await;
    carol.befriend(&alice).await;
    carol.befriend(&bob).await;

    let mut posts = Vec::new();
    for n in 1..=25 {
        posts.push(
            alice
                .engine
                .create_post(post(&format!("day {n}"), vec![]))
                .await
                .unwrap(),
        );
    }
    let newest = posts.last().unwrap().id;

    // Bob scrolls through online: two pages, 20 and 5, newest first.
    let first = bob.engine.moments(None).await.unwrap();
    assert_eq!(first.posts.len(), 20);
    let rest = bob.engine.moments(first.next).await.unwrap();
    assert_eq!(rest.posts.len(), 5);
    assert_eq!(rest.next, None);

    // Notices: Bob likes, Carol comments, Bob replies to Carol: Alice's list is in that order
    // (newest first), unread, with the newest sender on the badge.
    let mut alice_events = alice.engine.subscribe();
    bob.engine.like_post(newest, true).await.unwrap();
    let commented = carol
        .engine
        .comment_post(newest, "Nice!".into(), None)
        .await
        .unwrap();
    bob.engine
        .comment_post(newest, "Agreed".into(), Some(commented.comments[0].id))
        .await
        .unwrap();
    let notices = wait_for("three notices", Duration::from_secs(10), async || {
        let n = alice.engine.moment_notices().await.unwrap();
        (n.len() == 3).then_some(n)
    })
    .await;
    let seen: Vec<_> = notices
        .iter()
        .map(|n| {
            (
                n.notice.kind,
                n.notice.from.id,
                n.notice.text.as_str(),
                n.unread,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (MomentNoticeKind::Comment, bob.id, "Agreed", true),
            (MomentNoticeKind::Comment, carol.id, "Nice!", true),
            (MomentNoticeKind::Like, bob.id, "", true),
        ]
    );
    assert!(notices.windows(2).all(|w| w[0].seq > w[1].seq));
    assert_eq!(notices[0].post_text, "day 25", "the notice names its post");
    let badge = alice.engine.moments_badge().await.unwrap();
    assert_eq!(
        (badge.unread, badge.newest.map(|u| u.id)),
        (3, Some(bob.id))
    );
    changed(&mut alice_events, "the notices").await;
    alice.engine.mark_moment_notices_read().await.unwrap();
    let badge = alice.engine.moments_badge().await.unwrap();
    assert_eq!((badge.unread, badge.newest), (0, None));
    assert!(alice
        .engine
        .moment_notices()
        .await
        .unwrap()
        .iter()
        .all(|n| !n.unread));
    // Carol was replied to: her notice says so.
    let carols = wait_for(
        "Carol's reply notice",
        Duration::from_secs(10),
        async || {
            let n = carol.engine.moment_notices().await.unwrap();
            (!n.is_empty()).then_some(n)
        },
    )
    .await;
    assert_eq!(
        (carols[0].notice.kind, carols[0].notice.from.id),
        (MomentNoticeKind::Reply, bob.id)
    );

    // Alice deletes the post: it leaves Bob's and Carol's caches without them opening anything.
    let gone = posts[24].id;
    carol.engine.moments(None).await.unwrap();
    alice.engine.delete_post(gone).await.unwrap();
    for (who, person) in [("Bob", &bob), ("Carol", &carol)] {
        wait_for(
            &format!("the deletion in {who}'s cache"),
            Duration::from_secs(10),
            async || {
                let cached = person.engine.cached_moments(None).await.unwrap();
                (!cached.posts.iter().any(|p| p.id == gone)).then_some(())
            },
        )
        .await;
    }

    // Offline, Bob's feed still opens, and scrolls back through what he saw, in order.
    server.stop().await;
    let offline = bob.engine.moments(None).await.unwrap();
    let texts: Vec<_> = offline.posts.iter().map(|p| p.text.clone()).collect();
    let expected: Vec<_> = (5..=24).rev().map(|n| format!("day {n}")).collect();
    assert_eq!(texts, expected);
    let older = bob.engine.moments(offline.next).await.unwrap();
    let texts: Vec<_> = older.posts.iter().map(|p| p.text.clone()).collect();
    assert_eq!(texts, ["day 4", "day 3", "day 2", "day 1"]);
    assert_eq!(older.next, None);
}

/// A tiny web site on loopback: `/crag` (a page with Open Graph tags), `/crag.png`,
/// `/plain.txt`, and two that lead elsewhere on the machine by another name (`localhost`):
/// `/elsewhere` (a page whose picture is there) and `/moved` (a redirect there). Answers its
/// base URL.
async fn web_site(picture: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let other = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (picture, other) = (picture.clone(), other.clone());
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..n]).to_string();
                if head.starts_with("GET /moved ") {
                    let reply = format!("HTTP/1.1 302 Found\r\nlocation: {other}/crag\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(reply.as_bytes()).await;
                    return;
                }
                let (kind, body): (&str, Vec<u8>) = if head.starts_with("GET /crag.png") {
                    ("image/png", picture)
                } else if head.starts_with("GET /elsewhere ") {
                    (
                        "text/html",
                        format!(
                            r#"<html><head><meta property="og:title" content="Router">
                        <meta property="og:image" content="{other}/crag.png"></head></html>"#
                        )
                        .into_bytes(),
                    )
                } else if head.starts_with("GET /crag ") {
                    ("text/html; charset=utf-8", br#"<html><head><title>ignored</title>
                        <meta property="og:title" content="Three days at the crag">
                        <meta property="og:description" content="Route notes and topos">
                        <meta property="og:image" content="/crag.png"></head><body>hi</body></html>"#.to_vec())
                } else {
                    ("text/plain", b"just text".to_vec())
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    base
}

#[tokio::test]
async fn a_shared_link_gets_its_card_from_the_page_and_a_friend_sees_it() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("crag.png");
    image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 60]))
        .save(&png)
        .unwrap();
    let site = web_site(std::fs::read(&png).unwrap()).await;

    let card = alice
        .engine
        .link_preview(format!("{site}/crag"))
        .await
        .unwrap();
    assert_eq!(card.title, "Three days at the crag");
    assert_eq!(card.description, "Route notes and topos");
    assert_eq!(card.image, Some(xin_core::media::hash_file(&png).unwrap()));
    // Not a page: a card titled by its address, no picture.
    let plain = alice
        .engine
        .link_preview(format!("{site}/plain.txt"))
        .await
        .unwrap();
    assert_eq!(
        (plain.title.as_str(), plain.image),
        ("127.0.0.1/plain.txt", None)
    );
    // A page may not lead the sharer's computer to another host on its machine or network:
    // not for its picture, not by a redirect.
    let elsewhere = alice
        .engine
        .link_preview(format!("{site}/elsewhere"))
        .await
        .unwrap();
    assert_eq!(
        (elsewhere.title.as_str(), elsewhere.image),
        ("Router", None)
    );
    let moved = alice
        .engine
        .link_preview(format!("{site}/moved"))
        .await
        .unwrap();
    assert_eq!(
        (moved.title.as_str(), moved.image),
        ("127.0.0.1/moved", None),
        "the redirect to localhost was not followed"
    );
    for bad in ["ftp://example.org/x", "not a link", "javascript:alert(1)"] {
        let e = alice.engine.link_preview(bad.into()).await.unwrap_err();
        assert!(e.to_string().contains("not a web address"), "{bad}: {e}");
    }

    let mut shared = post("Worth a read", vec![]);
    shared.link = Some(card.clone());
    alice.engine.create_post(shared).await.unwrap();
    let feed = bob.engine.moments(None).await.unwrap();
    assert_eq!(feed.posts[0].link.as_ref(), Some(&card));
    // Bob's desktop can show the card's picture.
    let cached = bob
        .engine
        .media_file(card.image.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(std::fs::read(cached).unwrap(), std::fs::read(&png).unwrap());
}
