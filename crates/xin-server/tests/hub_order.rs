//! The hub pushes each user's events in seq order, whatever order they reach it in: on
//! PostgreSQL several writer threads (and other nodes) commit one user's events side by side
//! and hand them over in any order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use uuid::Uuid;
use xin_proto::{Event, EventBody, ServerEvent};
use xin_server::{
    hub::{Hub, Outbound, Peer, Socket},
    store::Publish,
};

fn event(seq: i64) -> Event {
    Event {
        seq,
        at: seq,
        body: EventBody::WalletChanged { balance_fen: seq },
    }
}

/// The seqs queued on the socket so far.
fn pushed(socket: &mut Socket) -> Vec<i64> {
    let mut seqs = Vec::new();
    while let Ok(out) = socket.outbound.try_recv() {
        if let Outbound::Event(e) = out {
            if let ServerEvent::Event { event } = &*e {
                seqs.push(event.seq);
            }
        }
    }
    seqs
}

#[test]
fn events_that_come_out_of_order_go_out_in_order_once() {
    let hub = Hub::new(64);
    let user = Uuid::now_v7();
    let mut socket = hub.register(user, Uuid::now_v7());
    hub.publish(vec![(user, event(1))]);
    hub.publish(vec![(user, event(3)), (user, event(5))]);
    assert_eq!(pushed(&mut socket), [1], "3 and 5 wait for 2");
    hub.publish(vec![(user, event(2))]);
    assert_eq!(pushed(&mut socket), [2, 3], "5 still waits for 4");
    hub.publish(vec![(user, event(3)), (user, event(4))]);
    assert_eq!(pushed(&mut socket), [4, 5], "3 came twice: once is enough");
}

#[test]
fn what_was_held_goes_out_when_the_log_sweep_brings_the_missing_event() {
    let hub = Hub::new(64);
    let user = Uuid::now_v7();
    let mut socket = hub.register(user, Uuid::now_v7());
    hub.note_head(user, 10);
    // Event 11's node died before it published; 12 came from another node.
    hub.from_peer(Peer::Events {
        user,
        events: vec![event(12)],
    });
    assert!(pushed(&mut socket).is_empty());
    // The sweep reads from the last pushed seq on.
    hub.from_peer(Peer::Events {
        user,
        events: vec![event(11), event(12)],
    });
    assert_eq!(pushed(&mut socket), [11, 12]);
}

#[test]
fn another_users_gap_holds_nobody_else() {
    let hub = Hub::new(64);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let mut socket_a = hub.register(a, Uuid::now_v7());
    let mut socket_b = hub.register(b, Uuid::now_v7());
    hub.publish(vec![(a, event(1)), (b, event(1))]);
    hub.publish(vec![(a, event(3)), (b, event(2))]);
    assert_eq!(pushed(&mut socket_a), [1]);
    assert_eq!(pushed(&mut socket_b), [1, 2]);
}
