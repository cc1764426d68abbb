//! Moments' privacy rules through the real API, over a small social graph: for every viewer,
//! exactly the posts, likes and comments WeChat's rules allow — visibility (all, private, only,
//! except, with tags), "don't let them see" and "hide theirs", blocks, unfriending, the album
//! window, the mutual-friends rule for interactions, images that follow their post, and the
//! notifications that travel through the event log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(p: &Party<'_>, body: Value) -> String {
    p.ok(Method::POST, "/moments", Some(body)).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The texts of the posts on `p`'s timeline (or `author`'s album), newest first.
async fn seen(p: &Party<'_>, album_of: Option<&Party<'_>>) -> Vec<String> {
    let path = match album_of {
        None => "/moments".to_string(),
        Some(a) => format!("/users/{}/moments", a.user.id),
    };
    p.ok(Method::GET, &path, None).await["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["text"].as_str().unwrap().to_string())
        .collect()
}

/// Who liked, and "who: text" (or "who→whom: text") per comment, as `p` sees post `id`.
async fn interactions(p: &Party<'_>, id: &str) -> (Vec<String>, Vec<String>) {
    let v = p.ok(Method::GET, &format!("/moments/{id}"), None).await;
    let likes = v["likes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["display_name"].as_str().unwrap().to_string())
        .collect();
    let comments = v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let who = c["author"]["display_name"].as_str().unwrap();
            let to = c["reply_to"]["display_name"]
                .as_str()
                .map(|t| format!("→{t}"))
                .unwrap_or_default();
            format!("{who}{to}: {}", c["text"].as_str().unwrap())
        })
        .collect();
    (likes, comments)
}

/// Likes and comments as one viewer sees them.
type Seen<'a> = (Vec<&'a str>, Vec<&'a str>);

async fn comment(p: &Party<'_>, id: &str, text: &str, reply_to: Option<&str>) -> Value {
    p.ok(
        Method::POST,
        &format!("/moments/{id}/comments"),
        Some(json!({"text": text, "reply_to": reply_to})),
    )
    .await
}

fn comment_id(post: &Value, text: &str) -> String {
    post["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == text)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn blob_status(p: &Party<'_>, hash: &str) -> StatusCode {
    p.call(Method::GET, &format!("/blobs/{hash}"), None).await.0
}

async fn tag(p: &Party<'_>, who: &Party<'_>, tags: Value) -> (StatusCode, Value) {
    let path = format!("/contacts/{}/tags", who.user.id);
    p.call(Method::PUT, &path, Some(json!({"tags": tags})))
        .await
}

async fn person(
    owner: &Party<'_>,
    other: &Party<'_>,
    mine: bool,
    theirs: bool,
) -> (StatusCode, Value) {
    let path = format!("/moments/people/{}", other.user.id);
    owner
        .call(
            Method::PUT,
            &path,
            Some(json!({"hide_mine": mine, "hide_theirs": theirs})),
        )
        .await
}

/// "kind from" per Moments notification in `p`'s log, in order.
async fn notices(p: &Party<'_>) -> Vec<String> {
    p.events()
        .await
        .into_iter()
        .filter(|e| e["body"]["type"] == "moment_notice")
        .map(|e| {
            let n = &e["body"]["notice"];
            format!(
                "{} {}",
                n["kind"].as_str().unwrap(),
                n["from"]["display_name"].as_str().unwrap()
            )
        })
        .collect()
}

/// How many "a friend posted" events `p` got.
async fn posted(p: &Party<'_>) -> usize {
    p.events()
        .await
        .iter()
        .filter(|e| e["body"]["type"] == "moment_posted")
        .count()
}

#[tokio::test]
async fn every_viewer_sees_exactly_what_the_rules_allow() {
    let s = TestServer::start().await;
    let ann = Party::join(&s, "ann", "13800000001").await;
    let ben = Party::join(&s, "ben", "13800000002").await;
    let cat = Party::join(&s, "cat", "13800000003").await;
    let dan = Party::join(&s, "dan", "13800000004").await;
    let eve = Party::join(&s, "eve", "13800000005").await;
    let fay = Party::join(&s, "fay", "13800000006").await;
    let gus = Party::join(&s, "gus", "13800000007").await; // nobody's friend
                                                           // ann is friends with everyone but gus; ben and cat are friends; dan knows only ann.
    for other in [&ben, &cat, &dan, &eve, &fay] {
        ann.befriend(other).await;
    }
    ben.befriend(&cat).await;
    assert_eq!(
        tag(&ann, &ben, json!(["climbers"])).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        tag(&ann, &cat, json!(["climbers"])).await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &tag(&ann, &gus, json!(["x"])).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    // ann blocks eve; ann keeps fay out of her Moments; dan hides ann's Moments from his timeline.
    let (st, _) = ann
        .call(Method::PUT, &format!("/blocks/{}", eve.user.id), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        person(&ann, &fay, true, false).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        person(&dan, &ann, false, true).await.0,
        StatusCode::NO_CONTENT
    );
    let fays = ann
        .ok(
            Method::GET,
            &format!("/moments/people/{}", fay.user.id),
            None,
        )
        .await;
    assert_eq!(fays, json!({"hide_mine": true, "hide_theirs": false}));
    let anns = dan
        .ok(
            Method::GET,
            &format!("/moments/people/{}", ann.user.id),
            None,
        )
        .await;
    assert_eq!(anns, json!({"hide_mine": false, "hide_theirs": true}));

    let picture = upload(&ann, &png()).await;
    let p1 = post(
        &ann,
        json!({"text": "all", "images": [picture], "visibility": "all"}),
    )
    .await;
    post(&ann, json!({"text": "private", "visibility": "private"})).await;
    post(
        &ann,
        json!({"text": "climbers", "visibility": "only", "tags": ["climbers"]}),
    )
    .await;
    post(
        &ann,
        json!({"text": "not dan", "visibility": "except", "users": [dan.user.id]}),
    )
    .await;
    post(&ben, json!({"text": "ben's", "visibility": "all"})).await;

    let table: [(&Party, &[&str], &[&str]); 7] = [
        (
            &ann,
            &["ben's", "not dan", "climbers", "private", "all"],
            &["not dan", "climbers", "private", "all"],
        ),
        (
            &ben,
            &["ben's", "not dan", "climbers", "all"],
            &["not dan", "climbers", "all"],
        ),
        (
            &cat,
            &["ben's", "not dan", "climbers", "all"],
            &["not dan", "climbers", "all"],
        ),
        // dan hid ann's Moments from his timeline; her album still shows him what he may see.
        (&dan, &[], &["all"]),
        (&eve, &[], &[]), // blocked
        (&fay, &[], &[]), // kept out
        (&gus, &[], &[]), // not a friend
    ];
    for (viewer, timeline, album) in table {
        assert_eq!(
            seen(viewer, None).await,
            timeline,
            "{}'s timeline",
            viewer.handle
        );
        assert_eq!(
            seen(viewer, Some(&ann)).await,
            album,
            "{} on ann's album",
            viewer.handle
        );
    }

    // The picture goes with the post.
    for (viewer, status) in [
        (&ben, StatusCode::OK),
        (&dan, StatusCode::OK),
        (&eve, StatusCode::NOT_FOUND),
        (&gus, StatusCode::NOT_FOUND),
    ] {
        assert_eq!(
            blob_status(viewer, &picture).await,
            status,
            "{} downloads the picture",
            viewer.handle
        );
    }
    // Someone who may not see a post cannot touch it.
    assert_error(
        &eve.call(Method::PUT, &format!("/moments/{p1}/like"), None)
            .await,
        StatusCode::NOT_FOUND,
        "post_not_found",
    );

    // Interactions on "all": ben likes, cat comments, dan likes and comments, ben replies to cat.
    for p in [&ben, &dan] {
        p.ok(Method::PUT, &format!("/moments/{p1}/like"), None)
            .await;
    }
    let after = comment(&cat, &p1, "Nice crag", None).await;
    comment(&dan, &p1, "Where is it?", None).await;
    let cats = comment_id(&after, "Nice crag");
    comment(&ben, &p1, "Going Sunday", Some(&cats)).await;
    // dan is not cat's friend: he cannot see her comment, so he cannot reply to it.
    assert_error(
        &dan.call(
            Method::POST,
            &format!("/moments/{p1}/comments"),
            Some(json!({"text": "?", "reply_to": cats})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "comment_not_found",
    );

    let everything = (
        vec!["BEN", "DAN"],
        vec![
            "CAT: Nice crag",
            "DAN: Where is it?",
            "BEN→CAT: Going Sunday",
        ],
    );
    let expect: [(&Party, Seen); 4] = [
        (&ann, everything.clone()),
        // ben and cat are not dan's friends: dan's like and comment are invisible to them.
        (
            &ben,
            (vec!["BEN"], vec!["CAT: Nice crag", "BEN→CAT: Going Sunday"]),
        ),
        (
            &cat,
            (vec!["BEN"], vec!["CAT: Nice crag", "BEN→CAT: Going Sunday"]),
        ),
        (&dan, (vec!["DAN"], vec!["DAN: Where is it?"])),
    ];
    for (viewer, (likes, comments)) in expect {
        let (l, c) = interactions(viewer, &p1).await;
        assert_eq!(l, likes, "likes as {} sees them", viewer.handle);
        assert_eq!(c, comments, "comments as {} sees them", viewer.handle);
    }

    // Notifications, in order: ann hears of every like and comment on her post; cat of the reply.
    assert_eq!(
        notices(&ann).await,
        [
            "like BEN",
            "like DAN",
            "comment CAT",
            "comment DAN",
            "comment BEN"
        ]
    );
    assert_eq!(notices(&cat).await, ["reply BEN"]);
    // Friends who could see ann's first post were told it was there; eve, fay and gus were not.
    assert_eq!(posted(&ben).await, 3, "all, climbers, not dan");
    assert_eq!(posted(&dan).await, 1, "all");
    for p in [&eve, &fay, &gus] {
        assert_eq!(posted(p).await, 0, "{}", p.handle);
    }

    // Comments: ben cannot delete dan's (he cannot even see it); ann, the post's author, can.
    let dans = comment_id(
        &ann.ok(Method::GET, &format!("/moments/{p1}"), None).await,
        "Where is it?",
    );
    assert_error(
        &ben.call(
            Method::DELETE,
            &format!("/moments/{p1}/comments/{dans}"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "comment_not_found",
    );
    let (st, _) = ann
        .call(
            Method::DELETE,
            &format!("/moments/{p1}/comments/{dans}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(interactions(&dan, &p1).await.1, Vec::<String>::new());

    // ann unfriends dan: from then on he sees none of her posts, nor her picture.
    let (st, _) = ann
        .call(Method::DELETE, &format!("/contacts/{}", dan.user.id), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(seen(&dan, Some(&ann)).await, Vec::<String>::new());
    assert_eq!(blob_status(&dan, &picture).await, StatusCode::NOT_FOUND);
    // …and ann no longer sees his like.
    assert_eq!(interactions(&ann, &p1).await.0, ["BEN"]);

    // ann deletes the post: gone from every timeline, the picture with it, and ben is told.
    let (st, _) = ann
        .call(Method::DELETE, &format!("/moments/{p1}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(seen(&ben, Some(&ann)).await, ["not dan", "climbers"]);
    assert_eq!(blob_status(&ben, &picture).await, StatusCode::NOT_FOUND);
    assert!(ben
        .events()
        .await
        .iter()
        .any(|e| e["body"]["type"] == "moment_deleted" && e["body"]["post_id"] == p1.as_str()));
    // Only the author may delete a post.
    let bens = ben.ok(Method::GET, "/moments", None).await["posts"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(
        &ann.call(Method::DELETE, &format!("/moments/{bens}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "post_not_found",
    );
}

#[tokio::test]
async fn the_album_window_limits_how_far_back_friends_look() {
    let s = TestServer::start().await;
    let ann = Party::join(&s, "ann", "13800000001").await;
    let ben = Party::join(&s, "ben", "13800000002").await;
    ann.befriend(&ben).await;
    post(&ann, json!({"text": "last year", "visibility": "all"})).await;
    post(&ann, json!({"text": "today", "visibility": "all"})).await;
    // Make the first post a year old, as if written then.
    s.execute(
        "UPDATE moment_posts SET created_at = created_at - 31536000000 WHERE text = 'last year'",
    );
    assert_eq!(seen(&ben, Some(&ann)).await, ["today", "last year"]);
    for (window, shown) in [
        ("six_months", vec!["today"]),
        ("three_days", vec!["today"]),
        ("all", vec!["today", "last year"]),
    ] {
        let (st, _) = ann
            .call(
                Method::PUT,
                "/moments/settings",
                Some(json!({"window": window})),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let now = ann.ok(Method::GET, "/moments/settings", None).await;
        assert_eq!(now["window"], window);
        assert_eq!(seen(&ben, Some(&ann)).await, shown, "{window}");
    }
    // The window is for others: ann always sees all of hers.
    ann.call(
        Method::PUT,
        "/moments/settings",
        Some(json!({"window": "three_days"})),
    )
    .await;
    assert_eq!(seen(&ann, Some(&ann)).await, ["today", "last year"]);
}

#[tokio::test]
async fn bad_posts_and_comments_get_clear_errors_and_change_nothing() {
    let s = TestServer::start().await;
    let ann = Party::join(&s, "ann", "13800000001").await;
    let ben = Party::join(&s, "ben", "13800000002").await;
    let gus = Party::join(&s, "gus", "13800000003").await;
    ann.befriend(&ben).await;
    let others = blake3::hash(b"someone else's file").to_hex().to_string();
    let bad = [
        json!({"text": "x".repeat(2_001), "visibility": "all"}),
        json!({"text": "", "visibility": "all"}),
        json!({"text": "ten", "images": vec!["a".repeat(64); 10], "visibility": "all"}),
        json!({"text": "bad hash", "images": ["not-a-hash"], "visibility": "all"}),
        json!({"text": "no one chosen", "visibility": "only"}),
        json!({"text": "chosen for all", "visibility": "all", "users": [ben.user.id]}),
        json!({"text": "a stranger", "visibility": "only", "users": [gus.user.id]}),
        json!({"text": "no such tag", "visibility": "except", "tags": ["nobody"]}),
        json!({"text": "huh", "visibility": "everyone"}),
        json!({"visibility": "all", "link": {"url": "ftp://example.org/a", "title": "t"}}),
        json!({"visibility": "all", "link": {"url": "javascript:alert(1)", "title": "t"}}),
        json!({"visibility": "all", "link": {"url": format!("https://e.org/{}", "a".repeat(2_048)), "title": "t"}}),
        json!({"visibility": "all", "link": {"url": "https://e.org", "title": "t".repeat(201)}}),
        json!({"visibility": "all", "link": {"url": "https://e.org", "title": "t", "image": "nope"}}),
        json!({"images": ["a".repeat(64)], "visibility": "all", "link": {"url": "https://e.org", "title": "t"}}),
    ];
    for body in bad {
        let r = ann.call(Method::POST, "/moments", Some(body.clone())).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{body}: {}", r.1);
        assert!(r.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_error(
        &ann.call(
            Method::POST,
            "/moments",
            Some(json!({"text": "not mine", "images": [others], "visibility": "all"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "blob_not_found",
    );
    assert_eq!(
        seen(&ann, None).await,
        Vec::<String>::new(),
        "nothing was posted"
    );
    let id = post(&ann, json!({"text": "ok", "visibility": "all"})).await;
    for text in ["", "   ", &"y".repeat(501)] {
        let r = ben
            .call(
                Method::POST,
                &format!("/moments/{id}/comments"),
                Some(json!({"text": text})),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    assert_error(
        &ben.call(Method::GET, "/moments/nonsense", None).await,
        StatusCode::NOT_FOUND,
        "post_not_found",
    );
    assert_error(
        &ben.call(Method::GET, "/moments?limit=0", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &ann.call(
            Method::PUT,
            &format!("/moments/people/{}", ann.user.id),
            Some(json!({"hide_mine": true, "hide_theirs": false})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_eq!(interactions(&ann, &id).await.1, Vec::<String>::new());
}

#[tokio::test]
async fn a_link_post_carries_its_card_and_its_picture_follows_the_post() {
    let s = TestServer::start().await;
    let ann = Party::join(&s, "ann", "13800000001").await;
    let ben = Party::join(&s, "ben", "13800000002").await;
    let gus = Party::join(&s, "gus", "13800000003").await;
    ann.befriend(&ben).await;
    let picture = upload(&ann, &png()).await;
    let id = post(
        &ann,
        json!({"text": "Worth a read", "visibility": "all", "link": {
            "url": " https://example.org/crag ", "title": "Three days\nat the crag",
            "description": "Route notes", "image": picture}}),
    )
    .await;
    let seen = ben.ok(Method::GET, &format!("/moments/{id}"), None).await;
    assert_eq!(
        seen["link"],
        json!({"url": "https://example.org/crag", "title": "Three days at the crag",
               "description": "Route notes", "image": picture})
    );
    assert_eq!(
        blob_status(&ben, &picture).await,
        StatusCode::OK,
        "a friend sees the card's picture"
    );
    assert_eq!(
        blob_status(&gus, &picture).await,
        StatusCode::NOT_FOUND,
        "a stranger does not"
    );
    // A card without a title is titled by its address.
    let bare = post(
        &ann,
        json!({"visibility": "all", "link": {"url": "http://127.0.0.1:9/x", "title": ""}}),
    )
    .await;
    let bare = ann.ok(Method::GET, &format!("/moments/{bare}"), None).await;
    assert_eq!(bare["link"]["title"], "http://127.0.0.1:9/x");
    assert_eq!(bare["link"]["image"], Value::Null);
}

#[tokio::test]
async fn tags_show_on_the_contact_on_every_device() {
    let s = TestServer::start().await;
    let ann = Party::join(&s, "ann", "13800000001").await;
    let ben = Party::join(&s, "ben", "13800000002").await;
    ann.befriend(&ben).await;
    let (status, _) = tag(&ann, &ben, json!(["Climbing", "Family"])).await;
    assert!(status.is_success());
    let list = ann.ok(Method::GET, "/contacts", None).await;
    assert_eq!(list["contacts"][0]["tags"], json!(["Climbing", "Family"]));
    let events = ann
        .ok(Method::GET, "/events?after=0&limit=1000&v=2", None)
        .await;
    let updated = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["body"]["type"] == "contact_updated")
        .expect("a contact update for my other devices");
    assert_eq!(
        updated["body"]["contact"]["tags"],
        json!(["Climbing", "Family"])
    );
    // Ben's view of Ann carries none of Ann's labels.
    let bens = ben.ok(Method::GET, "/contacts", None).await;
    assert_eq!(bens["contacts"][0]["tags"], json!([]));
}
