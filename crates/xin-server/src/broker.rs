//! Between nodes: NATS carries what one node's hub is told to the others (core publish and
//! subscribe, at most once). The database's event log stays the only durable history: a node
//! that missed a message — the writer died between its commit and its publish, or NATS dropped
//! it — finds the events in the log at its next sweep and pushes them then. So every committed
//! event reaches every open socket within one sweep interval, whatever dies.
//!
//! Subjects: `xin.u.<user>` carries a user's events and notices, `xin.ctl` sign-outs and login
//! tickets. Each node listens to all of them and keeps what concerns its own sockets.

use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{
    hub::{Hub, Peer},
    store::Store,
};

/// Events read from the log per user and sweep at most.
const SWEEP_PAGE: i64 = 500;

/// What goes over the wire: the sender, so a node ignores its own messages.
#[derive(Serialize, Deserialize)]
struct Envelope {
    node: Uuid,
    #[serde(flatten)]
    peer: Peer,
}

fn subject(peer: &Peer) -> String {
    match peer {
        Peer::Events { user, .. } | Peer::Notice { user, .. } => format!("xin.u.{user}"),
        Peer::SignOut { .. } | Peer::Ticket { .. } => "xin.ctl".into(),
    }
}

/// The connection to the other nodes.
#[derive(Clone)]
pub struct Broker {
    client: async_nats::Client,
}

impl Broker {
    /// Connects to NATS at `url` (`nats://host:4222`), joins `hub` to the other nodes and
    /// starts the log sweep every `sweep`. An unreachable broker is an error, not a retry
    /// loop: a node that cannot reach its peers must not start.
    pub async fn start(url: &str, hub: Hub, store: Store, sweep: Duration) -> Result<Self, String> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .name("xin-server")
            .connect(url)
            .await
            .map_err(|e| format!("cannot connect to the broker at {url}: {e}"))?;
        let node = Uuid::now_v7();
        let mut users = client
            .subscribe("xin.u.*")
            .await
            .map_err(|e| format!("broker: {e}"))?;
        let mut control = client
            .subscribe("xin.ctl")
            .await
            .map_err(|e| format!("broker: {e}"))?;

        let (tx, mut outbox) = mpsc::unbounded_channel::<Peer>();
        hub.connect_peers(tx);
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some(peer) = outbox.recv().await {
                let subject = subject(&peer);
                match serde_json::to_vec(&Envelope { node, peer }) {
                    Ok(body) => {
                        if let Err(e) = publisher.publish(subject, body.into()).await {
                            tracing::warn!("broker: publish: {e}");
                        }
                    }
                    Err(e) => tracing::error!("broker: encode: {e}"),
                }
            }
        });

        let (receiving_hub, receiving_store) = (hub.clone(), store.clone());
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    m = users.next() => m,
                    m = control.next() => m,
                };
                let Some(message) = message else { break };
                let Ok(envelope) = serde_json::from_slice::<Envelope>(&message.payload) else {
                    tracing::warn!("broker: an unreadable message on {}", message.subject);
                    continue;
                };
                if envelope.node == node {
                    continue;
                }
                if matches!(envelope.peer, Peer::SignOut { .. }) {
                    // Its sessions ended: no token of it may be trusted from the cache here.
                    receiving_store.forget_access();
                }
                receiving_hub.from_peer(envelope.peer);
            }
        });

        tokio::spawn(async move {
            let mut every = tokio::time::interval(sweep);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(e) = sweep_log(&hub, &store).await {
                    tracing::warn!("broker: log sweep: {e}");
                }
            }
        });
        Ok(Self { client })
    }

    /// Whether the connection to NATS is up.
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }
}

/// Pushes what the log holds beyond what this node's sockets were given: events whose
/// publish was lost.
async fn sweep_log(hub: &Hub, store: &Store) -> Result<(), crate::error::ApiError> {
    let listening = hub.listening();
    if listening.is_empty() {
        return Ok(());
    }
    let last_pushed: std::collections::HashMap<Uuid, Option<i64>> =
        listening.iter().copied().collect();
    let heads = store
        .log_heads(listening.iter().map(|(u, _)| *u).collect())
        .await?;
    for (user, head) in heads {
        match last_pushed.get(&user).copied().flatten() {
            None => hub.note_head(user, head),
            Some(last) if head > last => {
                let page = store.events(user, last, SWEEP_PAGE, 2).await?;
                tracing::info!(%user, missed = page.events.len(), "broker: pushed from the log");
                hub.from_peer(Peer::Events {
                    user,
                    events: page.events,
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}
