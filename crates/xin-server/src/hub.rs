//! Realtime fan-out inside one server node: open device sockets and login-ticket watchers.
//!
//! Each socket has a bounded queue. Pushing never waits: a socket whose queue is full has
//! fallen behind and is disconnected (it catches up from its event log when it reconnects), so
//! a slow or stuck receiver never slows the writer or anyone else.
//!
//! With several nodes, a broker (NATS or Postgres LISTEN/NOTIFY) feeds the same entry points,
//! `publish` and `ticket_changed`, on every node.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use tokio::sync::{broadcast, mpsc, Notify};
use uuid::Uuid;
use xin_proto::{Event, ServerEvent};

/// What the hub asks one socket to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    Event(Arc<ServerEvent>),
    /// Close the socket (after any events queued before it).
    Close,
}

struct Conn {
    id: u64,
    device_id: Uuid,
    tx: mpsc::Sender<Outbound>,
    /// Set when the socket fell behind: it is closed at once.
    overflow: Arc<Notify>,
}

impl Conn {
    fn push(&self, out: Outbound) {
        if self.tx.try_send(out).is_err() {
            self.overflow.notify_one();
        }
    }
}

struct Inner {
    /// Open sockets by user, so a push touches only that user's sockets.
    users: Mutex<HashMap<Uuid, Vec<Conn>>>,
    next_id: AtomicU64,
    tickets: broadcast::Sender<String>,
    queue: usize,
}

#[derive(Clone)]
pub struct Hub(Arc<Inner>);

/// Queues `event` on every open socket of `user` (one shared copy).
fn push_to(users: &HashMap<Uuid, Vec<Conn>>, user: Uuid, event: ServerEvent) {
    if let Some(conns) = users.get(&user) {
        let event = Arc::new(event);
        for c in conns {
            c.push(Outbound::Event(event.clone()));
        }
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(1024)
    }
}

/// Unregisters its socket when dropped, whichever way the socket task ends.
pub struct Registration {
    hub: Hub,
    user_id: Uuid,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut users) = self.hub.0.users.lock() {
            if let Some(conns) = users.get_mut(&self.user_id) {
                conns.retain(|c| c.id != self.id);
                if conns.is_empty() {
                    users.remove(&self.user_id);
                }
            }
        }
    }
}

/// A registered socket's side: its queue and the signal that it fell behind.
pub struct Socket {
    pub registration: Registration,
    pub outbound: mpsc::Receiver<Outbound>,
    pub overflow: Arc<Notify>,
}

impl Hub {
    /// A hub whose sockets each hold at most `queue` unsent events.
    pub fn new(queue: usize) -> Self {
        Self(Arc::new(Inner {
            users: Mutex::default(),
            next_id: AtomicU64::new(0),
            tickets: broadcast::channel(1024).0,
            queue: queue.max(1),
        }))
    }

    pub fn register(&self, user_id: Uuid, device_id: Uuid) -> Socket {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, outbound) = mpsc::channel(self.0.queue);
        let overflow = Arc::new(Notify::new());
        if let Ok(mut users) = self.0.users.lock() {
            users.entry(user_id).or_default().push(Conn {
                id,
                device_id,
                tx,
                overflow: overflow.clone(),
            });
        }
        Socket {
            registration: Registration {
                hub: self.clone(),
                user_id,
                id,
            },
            outbound,
            overflow,
        }
    }

    /// A notice outside the event log (devices changed, a login request) to a user's sockets.
    pub fn send_to_user(&self, user: Uuid, event: &ServerEvent) {
        if let Ok(users) = self.0.users.lock() {
            push_to(&users, user, event.clone());
        }
    }

    fn each(&self, mut f: impl FnMut(&Conn)) {
        if let Ok(users) = self.0.users.lock() {
            users.values().flatten().for_each(&mut f);
        }
    }

    /// Open sockets on this node.
    pub fn sockets(&self) -> usize {
        self.0
            .users
            .lock()
            .map(|u| u.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    /// Tells every socket of the device it was signed out (or that its session `expired`),
    /// then closes them.
    pub fn sign_out_device(&self, device_id: Uuid, reason: &str, expired: bool) {
        let event = Arc::new(ServerEvent::SignedOut {
            reason: reason.to_string(),
            expired,
        });
        self.each(|c| {
            if c.device_id == device_id {
                c.push(Outbound::Event(event.clone()));
                c.push(Outbound::Close);
            }
        });
    }

    /// Closes every socket (server shutdown): clients reconnect, to this node or another.
    pub fn close_all(&self) {
        self.each(|c| c.push(Outbound::Close));
    }

    pub fn ticket_changed(&self, ticket_id: &str) {
        let _ = self.0.tickets.send(ticket_id.to_string());
    }

    pub fn watch_tickets(&self) -> broadcast::Receiver<String> {
        self.0.tickets.subscribe()
    }
}

impl crate::store::Publish for Hub {
    /// Pushes committed events, in order, to their users' open sockets.
    fn publish(&self, events: Vec<(Uuid, Event)>) {
        let Ok(users) = self.0.users.lock() else {
            return;
        };
        for (user, event) in events {
            push_to(&users, user, ServerEvent::Event { event });
        }
    }
}
