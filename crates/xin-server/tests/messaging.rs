#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Contacts and chats, told as people would: Alice adds Bob, they chat, Carol joins a group…
mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["body"]["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn alice_finds_bob_and_they_become_friends() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;

    let found = alice.ok(Method::GET, "/users/search?q=BOB", None).await;
    assert_eq!(found["users"][0]["id"], bob.user.id.as_str());
    let by_phone = alice
        .ok(Method::GET, "/users/search?q=138-0000-0002", None)
        .await;
    assert_eq!(by_phone["users"][0]["handle"], "bob");

    let req = alice
        .ok(
            Method::POST,
            "/friend-requests",
            Some(json!({"to": bob.user.id, "greeting": "Hi, it's Alice"})),
        )
        .await;
    let pending = bob.ok(Method::GET, "/contacts", None).await;
    assert_eq!(pending["requests"][0]["greeting"], "Hi, it's Alice");
    assert_eq!(pending["requests"][0]["state"], "pending");
    assert_eq!(pending["contacts"], json!([]));

    bob.ok(
        Method::POST,
        &format!("/friend-requests/{}/answer", req["id"].as_str().unwrap()),
        Some(json!({"accept": true})),
    )
    .await;
    for (me, other) in [(&alice, &bob), (&bob, &alice)] {
        let c = me.ok(Method::GET, "/contacts", None).await;
        assert_eq!(c["contacts"][0]["user"]["id"], other.user.id.as_str());
    }
    // Answering twice is refused; so is adding an existing friend.
    let again = bob
        .call(
            Method::POST,
            &format!("/friend-requests/{}/answer", req["id"].as_str().unwrap()),
            Some(json!({"accept": true})),
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "request_not_found");
    let dup = alice
        .call(
            Method::POST,
            "/friend-requests",
            Some(json!({"to": bob.user.id})),
        )
        .await;
    assert_error(&dup, StatusCode::CONFLICT, "already_friends");

    // Both logs tell the story, with gap-free seq.
    let events = bob.events().await;
    assert_eq!(
        kinds(&events),
        ["friend_request", "contact_updated", "friend_request"]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);
}

#[tokio::test]
async fn a_direct_chat_delivers_counts_unread_and_syncs_read_markers() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    assert_eq!(bob.direct(&alice).await, chat, "one direct chat per pair");

    alice.say(&chat, "Hello Bob 👋").await;
    alice.say(&chat, "Lunch?").await;
    assert_eq!(bob.texts(&chat).await, ["Hello Bob 👋", "Lunch?"]);
    let c = bob.conversation(&chat).await;
    assert_eq!(
        (c["unread"].as_i64(), c["title"].as_str()),
        (Some(2), Some("ALICE"))
    );
    let last = bob
        .events()
        .await
        .into_iter()
        .rev()
        .find(|e| e["body"]["type"] == "message_new")
        .unwrap();
    assert_eq!(
        last["body"]["unread"], 2,
        "the server counts unread and sends it in order"
    );

    bob.ok(
        Method::POST,
        &format!("/conversations/{chat}/read"),
        Some(json!({"seq": 2})),
    )
    .await;
    assert_eq!(bob.conversation(&chat).await["unread"], 0);
    // A max-register: an older marker from a slow device does not move it back.
    bob.ok(
        Method::POST,
        &format!("/conversations/{chat}/read"),
        Some(json!({"seq": 1})),
    )
    .await;
    assert_eq!(bob.conversation(&chat).await["read_seq"], 2);
    let marker = bob
        .events()
        .await
        .into_iter()
        .rev()
        .find(|e| e["body"]["type"] == "read_marker")
        .unwrap();
    assert_eq!(marker["body"]["unread"], 0);
    // Sending reads the chat up to one's own message.
    bob.say(&chat, "Sure").await;
    assert_eq!(bob.conversation(&chat).await["unread"], 0);
    assert_eq!(alice.conversation(&chat).await["unread"], 1);
}

#[tokio::test]
async fn a_retried_send_never_makes_a_second_message() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    let body = json!({"client_id": uuid_v7(), "content": {"type": "text", "text": "once"}});
    let first = alice
        .ok(
            Method::POST,
            &format!("/conversations/{chat}/messages"),
            Some(body.clone()),
        )
        .await;
    let retry = alice
        .ok(
            Method::POST,
            &format!("/conversations/{chat}/messages"),
            Some(body),
        )
        .await;
    assert_eq!(first, retry);
    assert_eq!(bob.texts(&chat).await, ["once"]);
}

#[tokio::test]
async fn recall_and_delete_for_me() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    let oops = alice.say(&chat, "wrong chat, sorry").await;
    let keep = alice.say(&chat, "keep me").await;
    let oops_id = oops["id"].as_str().unwrap();

    let by_bob = bob
        .call(
            Method::POST,
            &format!("/conversations/{chat}/messages/{oops_id}/recall"),
            None,
        )
        .await;
    assert_error(&by_bob, StatusCode::FORBIDDEN, "not_allowed");
    alice
        .ok(
            Method::POST,
            &format!("/conversations/{chat}/messages/{oops_id}/recall"),
            None,
        )
        .await;
    assert_eq!(bob.texts(&chat).await, ["<recalled>", "keep me"]);
    assert!(bob
        .events()
        .await
        .iter()
        .any(|e| e["body"]["type"] == "message_recalled" && e["body"]["message_id"] == oops_id));

    let keep_id = keep["id"].as_str().unwrap();
    bob.ok(
        Method::POST,
        &format!("/conversations/{chat}/messages/{keep_id}/hide"),
        None,
    )
    .await;
    assert_eq!(bob.texts(&chat).await, ["<recalled>"]);
    assert_eq!(
        alice.texts(&chat).await,
        ["<recalled>", "keep me"],
        "deleting is for me only"
    );
}

#[tokio::test]
async fn blocking_and_unfriending_stop_messages() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;

    bob.ok(Method::PUT, &format!("/blocks/{}", alice.user.id), None)
        .await;
    assert_error(
        &alice.send(&chat, "hello?").await,
        StatusCode::FORBIDDEN,
        "blocked",
    );
    assert_eq!(bob.texts(&chat).await, Vec::<String>::new());
    // Bob's contact list says so (his profile of Alice offers Unblock), and his other devices
    // are told with the contact.
    let blocked_flag = |list: Value| {
        list["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["user"]["id"] == alice.user.id)
            .unwrap()["blocked"]
            .clone()
    };
    assert_eq!(
        blocked_flag(bob.ok(Method::GET, "/contacts", None).await),
        json!(true)
    );
    let told = bob.events().await;
    assert!(told.iter().any(|e| e["body"]["type"] == "contact_updated"
        && e["body"]["contact"]["blocked"] == json!(true)));
    bob.ok(Method::DELETE, &format!("/blocks/{}", alice.user.id), None)
        .await;
    assert_eq!(
        blocked_flag(bob.ok(Method::GET, "/contacts", None).await),
        json!(false)
    );
    alice.say(&chat, "hello again").await;

    // A blocked person cannot send requests either.
    carol
        .ok(Method::PUT, &format!("/blocks/{}", alice.user.id), None)
        .await;
    let r = alice
        .call(
            Method::POST,
            "/friend-requests",
            Some(json!({"to": carol.user.id})),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "blocked");
    // Strangers cannot open a chat.
    let r = carol
        .call(
            Method::POST,
            "/conversations/direct",
            Some(json!({"with": bob.user.id})),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_friends");

    bob.ok(
        Method::DELETE,
        &format!("/contacts/{}", alice.user.id),
        None,
    )
    .await;
    assert_error(
        &alice.send(&chat, "still there?").await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
}

#[tokio::test]
async fn remarks_show_as_the_chat_title() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    alice
        .ok(
            Method::PUT,
            &format!("/contacts/{}/remark", bob.user.id),
            Some(json!({"remark": "Bobby (climbing)"})),
        )
        .await;
    assert_eq!(alice.conversation(&chat).await["title"], "Bobby (climbing)");
    assert_eq!(
        bob.conversation(&chat).await["title"],
        "ALICE",
        "a remark is private"
    );
    let c = alice.ok(Method::GET, "/contacts", None).await;
    assert_eq!(c["contacts"][0]["remark"], "Bobby (climbing)");
}

#[tokio::test]
async fn groups_with_roles_members_and_mentions() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    let dave = Party::join(&s, "dave", "13800000004").await;
    alice.befriend(&bob).await;
    alice.befriend(&carol).await;

    let r = alice
        .call(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Climbing", "members": [bob.user.id, dave.user.id]})),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_friends");
    let g = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Climbing", "members": [bob.user.id]})),
        )
        .await;
    let g = g["id"].as_str().unwrap().to_string();
    assert_eq!(bob.texts(&g).await, ["ALICE created the group with BOB"]);
    // The line says what happened, for each reader's language.
    let line = bob
        .ok(Method::GET, &format!("/conversations/{g}/messages"), None)
        .await;
    assert_eq!(
        line["messages"][0]["content"]["event"],
        json!({"kind": "group_created", "by": {"id": alice.user.id, "name": "ALICE"}, "with": [{"id": bob.user.id, "name": "BOB"}]})
    );

    // Outsiders can neither read nor send.
    assert_error(
        &dave
            .call(Method::GET, &format!("/conversations/{g}/messages"), None)
            .await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );
    assert_error(
        &dave.send(&g, "let me in").await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );

    // Members cannot rename or add; the owner can.
    let r = bob
        .call(
            Method::PATCH,
            &format!("/conversations/{g}"),
            Some(json!({"title": "Bob's"})),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_allowed");
    alice
        .ok(
            Method::PATCH,
            &format!("/conversations/{g}"),
            Some(json!({"title": "Weekend climbing", "announcement": "Saturday 9:00"})),
        )
        .await;
    alice
        .ok(
            Method::POST,
            &format!("/conversations/{g}/members"),
            Some(json!({"users": [carol.user.id]})),
        )
        .await;
    let c = carol.conversation(&g).await;
    assert_eq!(
        (c["title"].as_str(), c["announcement"].as_str()),
        (Some("Weekend climbing"), Some("Saturday 9:00"))
    );
    assert_eq!(c["members"].as_array().unwrap().len(), 3);

    // @all is for the owner and admins; mentions must be members.
    let all = json!({"client_id": uuid_v7(), "content": {"type": "text", "text": "@all meet at 9", "mention_all": true}});
    let r = bob
        .call(
            Method::POST,
            &format!("/conversations/{g}/messages"),
            Some(all.clone()),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_allowed");
    alice
        .ok(
            Method::POST,
            &format!("/conversations/{g}/messages"),
            Some(all),
        )
        .await;
    let stranger = json!({"client_id": uuid_v7(), "content": {"type": "text", "text": "@dave", "mentions": [dave.user.id]}});
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/conversations/{g}/messages"),
                Some(stranger),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let mention = json!({"client_id": uuid_v7(), "content": {"type": "text", "text": "@carol welcome", "mentions": [carol.user.id]}});
    alice
        .ok(
            Method::POST,
            &format!("/conversations/{g}/messages"),
            Some(mention),
        )
        .await;

    // Remove Carol: she stops receiving and cannot send.
    alice
        .ok(
            Method::DELETE,
            &format!("/conversations/{g}/members/{}", carol.user.id),
            None,
        )
        .await;
    let before = carol.events().await.len();
    bob.say(&g, "after carol left").await;
    let after = carol.events().await;
    assert_eq!(after.len(), before, "a removed member gets nothing new");
    assert_error(
        &carol.send(&g, "hello?").await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );
    assert_eq!(carol.conversation(&g).await["active"], false);

    // The owner hands over before leaving.
    assert_error(
        &alice
            .call(
                Method::DELETE,
                &format!("/conversations/{g}/members/{}", alice.user.id),
                None,
            )
            .await,
        StatusCode::FORBIDDEN,
        "not_allowed",
    );
    alice
        .ok(
            Method::PUT,
            &format!("/conversations/{g}/members/{}/role", bob.user.id),
            Some(json!({"role": "owner"})),
        )
        .await;
    alice
        .ok(
            Method::DELETE,
            &format!("/conversations/{g}/members/{}", alice.user.id),
            None,
        )
        .await;
    let texts = bob.texts(&g).await;
    assert_eq!(
        texts[texts.len() - 3..],
        [
            "after carol left".to_string(),
            "BOB is now the group owner".to_string(),
            "ALICE left the group".to_string()
        ]
    );
    let c = bob.conversation(&g).await;
    assert_eq!(c["members"].as_array().unwrap().len(), 1);
    assert_eq!(c["members"][0]["role"], "owner");
}

#[tokio::test]
async fn file_transfer_is_a_chat_with_my_own_devices() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let laptop = s.sign_in("alice", desktop_device()).await;
    let note = alice.ok(Method::POST, "/conversations/self", None).await;
    assert_eq!(note["kind"], "self_note");
    assert_eq!(note["title"], "File Transfer");
    let id = note["id"].as_str().unwrap();
    alice.say(id, "from my phone").await;
    let events = s
        .call(Method::GET, "/events?after=0", Some(&laptop.access), None)
        .await
        .1;
    assert!(events["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["body"]["message"]["content"]["text"] == "from my phone"));
}

#[tokio::test]
async fn pin_and_mute_follow_the_user_to_other_devices() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    alice
        .ok(
            Method::PUT,
            &format!("/conversations/{chat}/settings"),
            Some(json!({"pinned": true, "muted": true})),
        )
        .await;
    let c = alice.conversation(&chat).await;
    assert_eq!(
        (c["pinned"].as_bool(), c["muted"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(bob.conversation(&chat).await["pinned"], false);
}

#[tokio::test]
async fn events_arrive_live_over_the_realtime_link_in_seq_order() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    let head = bob.ok(Method::GET, "/events?after=0", None).await["head"]
        .as_i64()
        .unwrap();

    let (mut ws, _) =
        tokio_tungstenite::connect_async(common::realtime(&s.url, &bob.user.access, ""))
            .await
            .unwrap();
    ws.next().await.unwrap().unwrap(); // hello
    for i in 0..5 {
        alice.say(&chat, &format!("m{i}")).await;
    }
    let mut seqs = Vec::new();
    while seqs.len() < 5 {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let Ok(v) = serde_json::from_str::<Value>(msg.to_text().unwrap_or("")) else {
            continue;
        };
        if v["type"] == "event" {
            seqs.push(v["event"]["seq"].as_i64().unwrap());
        }
    }
    assert_eq!(seqs, (head + 1..=head + 5).collect::<Vec<_>>());
    // Catch-up from any point returns exactly what follows.
    let page = bob
        .ok(
            Method::GET,
            &format!("/events?after={}&limit=2", head + 1),
            None,
        )
        .await;
    let got: Vec<i64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [head + 2, head + 3]);
    assert_eq!(page["head"], head + 5);
}

#[tokio::test]
async fn bad_messaging_input_is_refused_cleanly() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let chat = alice.direct(&bob).await;
    assert_error(
        &alice.send(&chat, "   ").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &alice.send(&chat, &"x".repeat(5001)).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &alice.send("not-a-uuid", "hi").await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );
    assert_error(
        &alice.send(&uuid_v7(), "hi").await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );
    let sys = json!({"client_id": uuid_v7(), "content": {"type": "system", "text": "Alice is admin now"}});
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/conversations/{chat}/messages"),
                Some(sys),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let no_client_id = json!({"content": {"type": "text", "text": "hi"}});
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/conversations/{chat}/messages"),
                Some(no_client_id),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &alice
            .call(
                Method::GET,
                &format!("/conversations/{chat}/messages?limit=0"),
                None,
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &alice.call(Method::GET, "/events?after=abc", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &alice.call(Method::GET, "/events", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let quote = json!({"client_id": uuid_v7(), "content": {"type": "text", "text": "re"}, "reply_to": uuid_v7()});
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/conversations/{chat}/messages"),
                Some(quote),
            )
            .await,
        StatusCode::NOT_FOUND,
        "message_not_found",
    );
    let long_greeting = alice
        .call(
            Method::POST,
            "/friend-requests",
            Some(json!({"to": bob.user.id, "greeting": "x".repeat(101)})),
        )
        .await;
    assert_error(&long_greeting, StatusCode::BAD_REQUEST, "invalid_request");
    // Nothing half-written: the chat holds no message.
    assert_eq!(bob.texts(&chat).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_senders_all_succeed_with_gap_free_order() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&bob).await;
    alice.befriend(&carol).await;
    let g = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Busy", "members": [bob.user.id, carol.user.id]})),
        )
        .await;
    let g = g["id"].as_str().unwrap().to_string();
    let mut tasks = Vec::new();
    for (p, tag) in [(&alice, "a"), (&bob, "b"), (&carol, "c")] {
        for k in 0..3 {
            let (url, token, g) = (s.url.clone(), p.user.access.clone(), g.clone());
            let tag = format!("{tag}{k}");
            tasks.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0..30 {
                    let r = http
                        .post(format!("{url}/api/v1/conversations/{g}/messages"))
                        .bearer_auth(&token)
                        .json(&json!({"client_id": uuid_v7(), "content": {"type": "text", "text": format!("{tag}-{i}")}}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let texts = bob.texts(&g).await;
    assert_eq!(texts.len(), 1 + 9 * 30);
    let events = carol.events().await;
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "carol's log is gap-free"
    );
}

#[tokio::test]
async fn nobody_reads_another_users_events() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&carol).await;
    let chat = alice.direct(&carol).await;
    alice.say(&chat, "just between us").await;
    // Bob's log holds nothing of Alice and Carol's: the log is chosen by the token alone.
    let bobs = bob.events().await;
    assert!(bobs.is_empty(), "{bobs:?}");
    let page = bob
        .ok(
            Method::GET,
            &format!("/events?after=0&user={}", alice.user.id),
            None,
        )
        .await;
    assert_eq!(page["events"], json!([]));
    assert_error(
        &bob.call(
            Method::GET,
            &format!("/conversations/{chat}/messages"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );
}

async fn group(p: &Party<'_>, member: &Party<'_>) -> (StatusCode, Value) {
    let body = json!({"title": "Trip", "members": [member.user.id]});
    p.call(Method::POST, "/conversations", Some(body)).await
}

/// Someone who blocked you, or whom you deleted, cannot be put in a group by you, nor can you
/// be put in theirs: a group needs friends both ways and no block either way.
#[tokio::test]
async fn a_block_or_a_deletion_keeps_people_out_of_each_others_groups() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&bob).await;
    alice.befriend(&carol).await;
    // Bob blocks Alice: neither can add the other.
    bob.ok(Method::PUT, &format!("/blocks/{}", alice.user.id), None)
        .await;
    assert_error(
        &group(&alice, &bob).await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
    assert_error(
        &group(&bob, &alice).await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
    // Carol deletes Alice: Alice still has Carol's contact row, but cannot add her.
    carol
        .ok(
            Method::DELETE,
            &format!("/contacts/{}", alice.user.id),
            None,
        )
        .await;
    assert_error(
        &group(&alice, &carol).await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
    let dan = Party::join(&s, "dan", "13800000004").await;
    alice.befriend(&dan).await;
    let g = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Trip", "members": [dan.user.id]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/conversations/{g}/members"),
                Some(json!({"users": [carol.user.id]})),
            )
            .await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
}

/// What the API document refuses, the server refuses: a read marker below zero.
#[tokio::test]
async fn a_read_marker_below_zero_is_refused() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/conversations/{conv}/read"),
                Some(json!({"seq": -1})),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
}
