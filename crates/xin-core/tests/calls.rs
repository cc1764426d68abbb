//! Desktop to desktop: two real engines signed in to a real server call each other. The ring
//! reaches every device of the callee, the first to answer takes the call and the others stop
//! ringing; the media (webrtcbin on both ends, loopback only) carries each side's tone to the
//! other; hanging up leaves the same call line in both chats.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{pair, wait_for, Person, Server};
use uuid::Uuid;
use xin_core::{
    call_pipeline::{MediaStats, Source},
    calls::CallSettings,
};
use xin_proto::{CallKind, CallOutcome, CallState, Content};

fn test_media(p: &Person, tone_hz: u32) {
    p.engine.set_call_settings(CallSettings {
        source: Source::Test { tone_hz },
        addresses: vec!["127.0.0.1".into()],
        relay_only: false,
    });
}

async fn ringing(p: &Person) -> Uuid {
    wait_for("the ring", Duration::from_secs(10), async || {
        p.engine
            .current_call()
            .filter(|c| c.incoming && c.call.state == CallState::Ringing)
            .map(|c| c.call.id)
    })
    .await
}

async fn hears(p: &Person, hz: f64) -> MediaStats {
    wait_for(
        "the other side's tone",
        Duration::from_secs(20),
        async || {
            p.engine.call_stats().filter(|s| {
                s.audio_packets > 100 && s.tone_hz.is_some_and(|t| (t - hz).abs() < 20.0)
            })
        },
    )
    .await
}

async fn call_lines(p: &Person, conv: Uuid) -> Vec<(CallOutcome, u32)> {
    p.engine
        .messages(conv, None)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m.message.content {
            Content::Call {
                outcome,
                duration_secs,
                ..
            } => Some((outcome, duration_secs)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desktop_calls_a_desktop_the_first_device_to_answer_takes_it_and_both_hear() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let bob_laptop = bob.second_device(&server).await;
    test_media(&alice, 440);
    test_media(&bob, 1000);
    test_media(&bob_laptop, 1000);
    let conv = alice.chat_with(&bob).await;

    let started = alice
        .engine
        .start_call(bob.id, CallKind::Voice)
        .await
        .unwrap();
    assert!(!started.incoming);
    let id = ringing(&bob).await;
    assert_eq!(
        ringing(&bob_laptop).await,
        id,
        "every device of Bob's rings"
    );

    bob.engine.accept_call(false).await.unwrap();
    wait_for(
        "the laptop to stop ringing",
        Duration::from_secs(10),
        async || bob_laptop.engine.current_call().is_none().then_some(()),
    )
    .await;
    let at_alice = hears(&alice, 1000.0).await;
    let at_bob = hears(&bob, 440.0).await;
    assert!(at_alice.connected && at_bob.connected);
    assert!(at_bob.first_audio_ms.is_some(), "{at_bob:?}");
    assert!(
        bob_laptop.engine.call_stats().is_none(),
        "the laptop has no media"
    );

    // A second call cannot start while one runs.
    assert!(alice
        .engine
        .start_call(bob.id, CallKind::Video)
        .await
        .is_err());

    tokio::time::sleep(Duration::from_millis(1100)).await;
    alice.engine.hang_up().await.unwrap();
    for p in [&alice, &bob] {
        wait_for("the call to end", Duration::from_secs(10), async || {
            p.engine.current_call().is_none().then_some(())
        })
        .await;
    }
    for p in [&alice, &bob, &bob_laptop] {
        let lines = wait_for("the call line", Duration::from_secs(10), async || {
            let lines = call_lines(p, conv).await;
            (!lines.is_empty()).then_some(lines)
        })
        .await;
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, CallOutcome::Completed);
        assert!(lines[0].1 >= 1, "{lines:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_call_and_a_cancelled_one_end_on_both_desktops() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    test_media(&alice, 440);
    test_media(&bob, 1000);
    let conv = alice.chat_with(&bob).await;

    alice
        .engine
        .start_call(bob.id, CallKind::Video)
        .await
        .unwrap();
    ringing(&bob).await;
    bob.engine.decline_call().await.unwrap();
    for p in [&alice, &bob] {
        wait_for(
            "the declined call to end",
            Duration::from_secs(10),
            async || p.engine.current_call().is_none().then_some(()),
        )
        .await;
    }

    alice
        .engine
        .start_call(bob.id, CallKind::Voice)
        .await
        .unwrap();
    ringing(&bob).await;
    alice.engine.hang_up().await.unwrap();
    wait_for("Bob's ring to stop", Duration::from_secs(10), async || {
        bob.engine.current_call().is_none().then_some(())
    })
    .await;
    assert!(
        bob.engine.accept_call(false).await.is_err(),
        "nothing rings"
    );
    let outcomes: Vec<CallOutcome> = wait_for("both lines", Duration::from_secs(10), async || {
        let lines = call_lines(&bob, conv).await;
        (lines.len() == 2).then_some(lines)
    })
    .await
    .into_iter()
    .map(|l| l.0)
    .collect();
    assert_eq!(outcomes, [CallOutcome::Declined, CallOutcome::Cancelled]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_camera_turned_off_on_one_desktop_shows_the_avatar_on_the_other() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    test_media(&alice, 440);
    test_media(&bob, 1000);
    alice.chat_with(&bob).await;
    alice
        .engine
        .start_call(bob.id, CallKind::Video)
        .await
        .unwrap();
    ringing(&bob).await;
    bob.engine.accept_call(false).await.unwrap();
    wait_for("pictures at Bob's", Duration::from_secs(20), async || {
        bob.engine
            .call_stats()
            .filter(|s| s.frames_decoded > 10)
            .map(|_| ())
    })
    .await;
    let peer_camera = |p: &Person| p.engine.current_call().map(|c| c.peer_camera_on);
    assert_eq!(peer_camera(&bob), Some(true));

    alice.engine.set_call_camera(false);
    wait_for(
        "Bob to learn the camera is off",
        Duration::from_secs(10),
        async || (peer_camera(&bob) == Some(false)).then_some(()),
    )
    .await;
    assert_eq!(
        peer_camera(&alice),
        Some(true),
        "only Alice's camera is off"
    );
    alice.engine.set_call_camera(true);
    wait_for(
        "Bob to learn it is on again",
        Duration::from_secs(10),
        async || (peer_camera(&bob) == Some(true)).then_some(()),
    )
    .await;
    alice.engine.hang_up().await.unwrap();
}

/// coturn on the loopback interface with TURN REST credentials, as an operator runs it beside
/// the server; stopped when dropped.
struct Coturn(std::process::Child);

impl Coturn {
    fn start(port: u16, secret: &str) -> Self {
        let child = std::process::Command::new("turnserver")
            .args([
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                &format!("--listening-port={port}"),
                // Relaying between two addresses of this machine's loopback, as the test's two
                // desktops have; a real deployment relays between real interfaces.
                "--allow-loopback-peers",
                "--use-auth-secret",
                &format!("--static-auth-secret={secret}"),
                "--realm=xin.test",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--min-port=49300",
                "--max-port=49400",
                "--log-file=stdout",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("coturn's turnserver (cargo xtask setup installs it)");
        Self(child)
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relay_only_call_goes_through_a_real_turn_server() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _turn = Coturn::start(port, "turn-secret-for-tests");
    let server = Server::with(|c| {
        c.turn_urls = vec![format!("turn:127.0.0.1:{port}?transport=udp")];
        c.turn_secret = Some("turn-secret-for-tests".into());
    })
    .await;
    let (alice, bob) = pair(&server).await;
    for (p, hz) in [(&alice, 440), (&bob, 1000)] {
        p.engine.set_call_settings(CallSettings {
            source: Source::Test { tone_hz: hz },
            addresses: vec!["127.0.0.1".into()],
            // No direct path: only the TURN server's relayed addresses, so the tones below
            // could only have come through it.
            relay_only: true,
        });
    }
    let call = alice
        .engine
        .start_call(bob.id, CallKind::Voice)
        .await
        .unwrap();
    assert_eq!(
        call.call.ice_servers.len(),
        1,
        "the server hands out the TURN server"
    );
    ringing(&bob).await;
    bob.engine.accept_call(false).await.unwrap();
    hears(&alice, 1000.0).await;
    hears(&bob, 440.0).await;
    alice.engine.hang_up().await.unwrap();
}
