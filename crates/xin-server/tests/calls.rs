//! One-to-one calls through the real server: every device of the callee rings, the first to
//! answer takes the call, signals go only between the call's two devices, and every way a call
//! ends leaves the same line in the chat both people share.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{assert_error, desktop_device, realtime, uuid_v7, Party, TestServer, User};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as WsMessage;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(s: &TestServer, user: &User) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(realtime(&s.url, &user.access, "?v=2"))
        .await
        .unwrap();
    ws
}

/// The next frame of type `kind` on `ws` (others skipped), within 5 s.
async fn next(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap_or_else(|_| panic!("a {kind} within 5 s"))
            .unwrap()
            .unwrap();
        if let WsMessage::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == kind {
                return v;
            }
        }
    }
}

/// Nothing of type `kind` arrives on `ws` for a moment.
async fn nothing(ws: &mut Ws, kind: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let WsMessage::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            assert_ne!(v["type"], kind, "unexpected {v}");
        }
    }
}

/// The call's state as a socket is told it, skipping earlier states.
async fn call_in(ws: &mut Ws, state: &str) -> Value {
    loop {
        let v = next(ws, "call").await;
        if v["call"]["state"] == state {
            return v["call"].clone();
        }
    }
}

/// Call `id` in `state`, as a socket is told it, skipping other calls and states.
async fn call_of(ws: &mut Ws, id: &Value, state: &str) -> Value {
    loop {
        let call = call_in(ws, state).await;
        if &call["id"] == id {
            return call;
        }
    }
}

/// The call lines of the chat, oldest first, as `p` reads its history.
async fn call_lines(p: &Party<'_>, conv: &str) -> Vec<Value> {
    let page = p
        .ok(
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    let mut lines: Vec<&Value> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"]["type"] == "call")
        .collect();
    lines.sort_by_key(|m| m["seq"].as_i64());
    lines.iter().map(|m| m["content"].clone()).collect()
}

async fn ring(caller: &Party<'_>, callee: &Party<'_>, kind: &str) -> (StatusCode, Value) {
    caller
        .call(
            Method::POST,
            "/calls",
            Some(json!({"callee": callee.user.id, "kind": kind})),
        )
        .await
}

async fn friends<'a>(s: &'a TestServer) -> (Party<'a>, Party<'a>) {
    let alice = Party::join(s, "alice", "13800000001").await;
    let bob = Party::join(s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    (alice, bob)
}

#[tokio::test]
async fn every_device_rings_the_first_to_answer_takes_the_call_and_signals_reach_only_its_peer() {
    let s = TestServer::start().await;
    let (alice, bob) = friends(&s).await;
    let bob_desktop = s.sign_in("bob", desktop_device()).await;
    let mut alice_ws = socket(&s, &alice.user).await;
    let mut bob_phone_ws = socket(&s, &bob.user).await;
    let mut bob_desktop_ws = socket(&s, &bob_desktop).await;

    let (status, call) = ring(&alice, &bob, "video").await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    assert_eq!(call["state"], "ringing");
    assert_eq!(call["caller_device"], alice.user.device_id.as_str());
    let id = call["id"].as_str().unwrap().to_string();
    for ws in [&mut bob_phone_ws, &mut bob_desktop_ws] {
        let rung = call_in(ws, "ringing").await;
        assert_eq!(rung["id"], id.as_str());
        assert_eq!(rung["kind"], "video");
    }

    // The phone answers first; the desktop learns the call was taken, and cannot take it too.
    let answered = bob
        .ok(
            Method::POST,
            &format!("/calls/{id}/accept"),
            Some(json!({"voice_only": false})),
        )
        .await;
    assert_eq!(answered["state"], "active");
    let taken = call_in(&mut bob_desktop_ws, "active").await;
    assert_eq!(taken["callee_device"], bob.user.device_id.as_str());
    assert_eq!(call_in(&mut alice_ws, "active").await["id"], id.as_str());
    let late = s
        .call(
            Method::POST,
            &format!("/calls/{id}/accept"),
            Some(&bob_desktop.access),
            Some(json!({})),
        )
        .await;
    assert_error(&late, StatusCode::CONFLICT, "call_state_conflict");

    // The offer goes to the phone that answered, not to the desktop.
    let offer = json!({"signal": {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n"}});
    alice
        .ok(Method::POST, &format!("/calls/{id}/signal"), Some(offer))
        .await;
    let got = next(&mut bob_phone_ws, "call_signal").await;
    assert_eq!(got["call_id"], id.as_str());
    assert_eq!(got["from_device"], alice.user.device_id.as_str());
    assert_eq!(got["signal"]["type"], "offer");
    nothing(&mut bob_desktop_ws, "call_signal").await;
    let candidate = json!({"signal": {"type": "candidate", "candidate": "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host", "sdp_mid": "0", "sdp_m_line_index": 0}});
    bob.ok(
        Method::POST,
        &format!("/calls/{id}/signal"),
        Some(candidate.clone()),
    )
    .await;
    assert_eq!(
        next(&mut alice_ws, "call_signal").await["signal"]["type"],
        "candidate"
    );
    // The desktop that did not answer is not in the call.
    let outsider = s
        .call(
            Method::POST,
            &format!("/calls/{id}/signal"),
            Some(&bob_desktop.access),
            Some(candidate),
        )
        .await;
    assert_error(&outsider, StatusCode::CONFLICT, "call_state_conflict");

    // Switching the video call to voice: not from a device outside it; from the phone in it,
    // for both.
    let outsider = s
        .call(
            Method::POST,
            &format!("/calls/{id}/voice"),
            Some(&bob_desktop.access),
            Some(json!({})),
        )
        .await;
    assert_error(&outsider, StatusCode::CONFLICT, "call_state_conflict");
    let voice = bob
        .ok(Method::POST, &format!("/calls/{id}/voice"), Some(json!({})))
        .await;
    assert_eq!(voice["voice_only"], true);
    let told = call_in(&mut alice_ws, "active").await;
    assert_eq!(told["voice_only"], true, "the caller learns of the switch");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let ended = alice
        .ok(
            Method::POST,
            &format!("/calls/{id}/hangup"),
            Some(json!({})),
        )
        .await;
    assert_eq!(ended["state"], "ended");
    assert_eq!(ended["outcome"], "completed");
    let told = call_in(&mut bob_phone_ws, "ended").await;
    assert_eq!(told["outcome"], "completed");

    // One line, in the chat both read: the same for both, with the duration.
    let conv = call["conversation_id"].as_str().unwrap();
    let (alice_lines, bob_lines) = (call_lines(&alice, conv).await, call_lines(&bob, conv).await);
    assert_eq!(alice_lines, bob_lines);
    assert_eq!(alice_lines.len(), 1, "{alice_lines:?}");
    assert_eq!(alice_lines[0]["outcome"], "completed");
    assert_eq!(alice_lines[0]["kind"], "video");
    assert!(alice_lines[0]["duration_secs"].as_u64().unwrap() >= 1);
    // Over is over.
    let again = alice
        .call(
            Method::POST,
            &format!("/calls/{id}/hangup"),
            Some(json!({})),
        )
        .await;
    assert_error(&again, StatusCode::CONFLICT, "call_state_conflict");
}

#[tokio::test]
async fn cancelled_declined_unanswered_and_busy_calls_each_leave_their_line() {
    let s = TestServer::with(|c| c.call_ring_secs = 1).await;
    let (alice, bob) = friends(&s).await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    carol.befriend(&alice).await;
    carol.befriend(&bob).await;
    let mut alice_ws = socket(&s, &alice.user).await;

    // Cancelled by the caller while it rings; only the caller may cancel.
    let id = ring(&alice, &bob, "voice").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_callee = bob
        .call(Method::POST, &format!("/calls/{id}/cancel"), None)
        .await;
    assert_error(&by_callee, StatusCode::CONFLICT, "call_state_conflict");
    let cancelled = alice
        .ok(Method::POST, &format!("/calls/{id}/cancel"), None)
        .await;
    assert_eq!(cancelled["outcome"], "cancelled");

    // Declined by the callee; only the callee may decline.
    let id = ring(&alice, &bob, "video").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_caller = alice
        .call(Method::POST, &format!("/calls/{id}/decline"), None)
        .await;
    assert_error(&by_caller, StatusCode::CONFLICT, "call_state_conflict");
    bob.ok(Method::POST, &format!("/calls/{id}/decline"), None)
        .await;
    let declined = call_of(&mut alice_ws, &json!(id), "ended").await;
    assert_eq!(declined["outcome"], "declined");

    // Nobody answers: the server ends it after its ring timeout, and the caller is told.
    let (_, unanswered) = ring(&alice, &bob, "voice").await;
    let ended = call_of(&mut alice_ws, &unanswered["id"], "ended").await;
    assert_eq!(ended["outcome"], "no_answer");

    // Busy: Bob is in a call with Carol, so Alice's call ends at once.
    let with_carol = ring(&carol, &bob, "voice").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    bob.ok(
        Method::POST,
        &format!("/calls/{with_carol}/accept"),
        Some(json!({})),
    )
    .await;
    let (status, busy) = ring(&alice, &bob, "voice").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(busy["state"], "ended");
    assert_eq!(busy["outcome"], "busy");
    // And whoever is in a call cannot start another.
    let second = ring(&bob, &alice, "voice").await;
    assert_error(&second, StatusCode::CONFLICT, "in_call");

    let conv = busy["conversation_id"].as_str().unwrap();
    let outcomes: Vec<Value> = call_lines(&bob, conv)
        .await
        .iter()
        .map(|l| l["outcome"].clone())
        .collect();
    assert_eq!(
        outcomes,
        vec![
            json!("cancelled"),
            json!("declined"),
            json!("no_answer"),
            json!("busy")
        ]
    );
    assert_eq!(call_lines(&alice, conv).await, call_lines(&bob, conv).await);
}

/// The ring timeout on a clock the test sets: the store's expiry takes the cutoff, so the
/// boundary is checked to the millisecond without waiting 45 s (the loop that calls it every
/// quarter ring is exercised on a 1 s ring above).
#[tokio::test]
async fn a_ring_ends_as_no_answer_exactly_when_its_time_is_up() {
    let s = TestServer::start().await;
    let (alice, bob) = friends(&s).await;
    let conv = alice.direct(&bob).await;
    let (_, call) = ring(&alice, &bob, "video").await;
    let rang_at = call["created_at"].as_i64().unwrap();
    let store = s.store();
    assert!(
        store.expire_rings(rang_at).await.unwrap().is_empty(),
        "not yet: it rang at the cutoff"
    );
    let ended = store.expire_rings(rang_at + 1).await.unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].id.to_string(), call["id"].as_str().unwrap());
    assert!(
        store.expire_rings(rang_at + 1).await.unwrap().is_empty(),
        "ended once"
    );
    let late = bob
        .call(
            Method::POST,
            &format!("/calls/{}/accept", call["id"].as_str().unwrap()),
            Some(json!({})),
        )
        .await;
    assert_error(&late, StatusCode::CONFLICT, "call_state_conflict");
    let lines = call_lines(&alice, &conv).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "no_answer");
    assert_eq!(lines[0]["kind"], "video");
}

#[tokio::test]
async fn only_friends_call_and_a_blocked_person_cannot_ring() {
    let s = TestServer::start().await;
    let (alice, bob) = friends(&s).await;
    let stranger = Party::join(&s, "mallory", "13800000009").await;
    let mut bob_ws = socket(&s, &bob.user).await;

    assert_error(
        &ring(&stranger, &bob, "voice").await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
    bob.ok(Method::PUT, &format!("/blocks/{}", alice.user.id), None)
        .await;
    assert_error(
        &ring(&alice, &bob, "video").await,
        StatusCode::FORBIDDEN,
        "blocked",
    );
    nothing(&mut bob_ws, "call").await;
    // Nor the other way: the one who blocks cannot ring either.
    assert_error(
        &ring(&bob, &alice, "voice").await,
        StatusCode::FORBIDDEN,
        "blocked",
    );
    assert_error(
        &ring(&alice, &alice, "voice").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
}

#[tokio::test]
async fn a_device_that_connects_while_a_call_rings_is_rung() {
    let s = TestServer::start().await;
    let (alice, bob) = friends(&s).await;
    let (_, call) = ring(&alice, &bob, "voice").await;
    let mut late = socket(&s, &bob.user).await;
    let rung = call_in(&mut late, "ringing").await;
    assert_eq!(rung["id"], call["id"]);
    let live = bob.ok(Method::GET, "/calls/live", None).await;
    assert_eq!(live.as_array().unwrap().len(), 1);
    assert_eq!(live[0]["id"], call["id"]);
    // Once it is over, a new socket is not rung.
    let id = call["id"].as_str().unwrap();
    alice
        .ok(Method::POST, &format!("/calls/{id}/cancel"), None)
        .await;
    let mut later = socket(&s, &bob.user).await;
    nothing(&mut later, "call").await;
    assert!(bob.ok(Method::GET, "/calls/live", None).await[0].is_null());
}

#[tokio::test]
async fn a_device_signed_out_in_a_call_ends_it_as_failed() {
    let s = TestServer::start().await;
    let (alice, bob) = friends(&s).await;
    let mut alice_ws = socket(&s, &alice.user).await;
    let (_, call) = ring(&alice, &bob, "voice").await;
    let id = call["id"].as_str().unwrap();
    bob.ok(
        Method::POST,
        &format!("/calls/{id}/accept"),
        Some(json!({})),
    )
    .await;
    let (status, _) = bob.call(Method::DELETE, "/sessions/current", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ended = call_in(&mut alice_ws, "ended").await;
    assert_eq!(ended["outcome"], "failed");
    let conv = call["conversation_id"].as_str().unwrap();
    let lines = call_lines(&alice, conv).await;
    assert_eq!(lines[0]["outcome"], "failed");
    assert_eq!(lines[0]["failure"], "signed_out");
}

#[tokio::test]
async fn bad_calls_and_signals_are_refused_with_clear_errors() {
    let s = TestServer::start().await;
    let (alice, bob) = friends(&s).await;
    let eve = Party::join(&s, "eve", "13800000005").await;
    eve.befriend(&alice).await;

    assert_error(
        &alice
            .call(
                Method::POST,
                "/calls",
                Some(json!({"callee": bob.user.id, "kind": "hologram"})),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let unknown = uuid_v7();
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/calls/{unknown}/accept"),
                Some(json!({})),
            )
            .await,
        StatusCode::NOT_FOUND,
        "call_not_found",
    );
    assert_error(
        &alice
            .call(Method::POST, "/calls/not-a-call/hangup", Some(json!({})))
            .await,
        StatusCode::NOT_FOUND,
        "call_not_found",
    );
    let (_, call) = ring(&alice, &bob, "voice").await;
    let id = call["id"].as_str().unwrap();
    // Someone else's call is no call of theirs.
    for path in ["accept", "hangup", "signal", "decline"] {
        let body = if path == "signal" {
            json!({"signal": {"type": "offer", "sdp": "v=0"}})
        } else {
            json!({})
        };
        assert_error(
            &eve.call(Method::POST, &format!("/calls/{id}/{path}"), Some(body))
                .await,
            StatusCode::NOT_FOUND,
            "call_not_found",
        );
    }
    // Nothing is signalled before the call is answered.
    let early = alice
        .call(
            Method::POST,
            &format!("/calls/{id}/signal"),
            Some(json!({"signal": {"type": "offer", "sdp": "v=0"}})),
        )
        .await;
    assert_error(&early, StatusCode::CONFLICT, "call_state_conflict");
    bob.ok(
        Method::POST,
        &format!("/calls/{id}/accept"),
        Some(json!({})),
    )
    .await;
    let oversize = "a".repeat(xin_proto::MAX_SIGNAL_BYTES + 1);
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/calls/{id}/signal"),
                Some(json!({"signal": {"type": "offer", "sdp": oversize}})),
            )
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/calls/{id}/signal"),
                Some(json!({"signal": {"type": "telepathy"}})),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // A call line cannot be forged by sending it.
    let conv = call["conversation_id"].as_str().unwrap();
    let forged = alice
        .call(
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(json!({"client_id": uuid_v7(), "content": {"type": "call", "call_id": id, "kind": "voice", "outcome": "completed", "duration_secs": 3600}})),
        )
        .await;
    assert_error(&forged, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn turn_credentials_are_minted_for_each_device_when_a_turn_server_is_configured() {
    let s = TestServer::with(|c| {
        c.turn_urls = vec!["turn:turn.example.org:3478".into()];
        c.turn_secret = Some("north".into());
    })
    .await;
    let (alice, bob) = friends(&s).await;
    let (_, call) = ring(&alice, &bob, "voice").await;
    let ice = &call["ice_servers"][0];
    assert_eq!(ice["urls"][0], "turn:turn.example.org:3478");
    let username = ice["username"].as_str().unwrap();
    let (expiry, user) = username.split_once(':').unwrap();
    assert_eq!(user, alice.user.id);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(expiry.parse::<u64>().unwrap() > now);
    // coturn's check: base64(HMAC-SHA1(secret, username)).
    use base64::Engine as _;
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"north").unwrap();
    mac.update(username.as_bytes());
    let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(ice["credential"], want.as_str());
    // Without TURN, a LAN needs none.
    let lan = TestServer::start().await;
    let (a, b) = friends(&lan).await;
    assert_eq!(ring(&a, &b, "voice").await.1["ice_servers"], json!([]));
}
