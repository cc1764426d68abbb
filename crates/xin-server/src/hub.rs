//! Realtime fan-out inside one server node: open device sockets and login-ticket watchers.
//!
//! With several nodes, a broker (NATS or Postgres LISTEN/NOTIFY) feeds the same two entry
//! points, `send_to_user` and `ticket_changed`, on every node.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;
use xin_proto::ServerEvent;

/// What the hub asks one socket to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    Event(Box<ServerEvent>),
    /// Close the socket (after any events queued before it).
    Close,
}

struct Conn {
    user_id: Uuid,
    device_id: Uuid,
    tx: mpsc::UnboundedSender<Outbound>,
}

#[derive(Clone)]
pub struct Hub {
    conns: Arc<Mutex<HashMap<u64, Conn>>>,
    next_id: Arc<std::sync::atomic::AtomicU64>,
    tickets: broadcast::Sender<String>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            conns: Arc::default(),
            next_id: Arc::default(),
            tickets: broadcast::channel(1024).0,
        }
    }
}

/// Unregisters its socket when dropped, whichever way the socket task ends.
pub struct Registration {
    hub: Hub,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut conns) = self.hub.conns.lock() {
            conns.remove(&self.id);
        }
    }
}

impl Hub {
    pub fn register(
        &self,
        user_id: Uuid,
        device_id: Uuid,
    ) -> (Registration, mpsc::UnboundedReceiver<Outbound>) {
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut conns) = self.conns.lock() {
            conns.insert(
                id,
                Conn {
                    user_id,
                    device_id,
                    tx,
                },
            );
        }
        (
            Registration {
                hub: self.clone(),
                id,
            },
            rx,
        )
    }

    fn each(&self, mut f: impl FnMut(&Conn)) {
        if let Ok(conns) = self.conns.lock() {
            conns.values().for_each(&mut f);
        }
    }

    pub fn send_to_user(&self, user_id: Uuid, event: &ServerEvent) {
        self.each(|c| {
            if c.user_id == user_id {
                let _ = c.tx.send(Outbound::Event(Box::new(event.clone())));
            }
        });
    }

    /// Tells every socket of the device it was signed out, then closes them.
    pub fn sign_out_device(&self, device_id: Uuid, reason: &str) {
        self.each(|c| {
            if c.device_id == device_id {
                let _ = c.tx.send(Outbound::Event(Box::new(ServerEvent::SignedOut {
                    reason: reason.to_string(),
                })));
                let _ = c.tx.send(Outbound::Close);
            }
        });
    }

    /// Closes every socket (server shutdown): clients reconnect, to this node or another.
    pub fn close_all(&self) {
        self.each(|c| {
            let _ = c.tx.send(Outbound::Close);
        });
    }

    pub fn ticket_changed(&self, ticket_id: &str) {
        let _ = self.tickets.send(ticket_id.to_string());
    }

    pub fn watch_tickets(&self) -> broadcast::Receiver<String> {
        self.tickets.subscribe()
    }
}
