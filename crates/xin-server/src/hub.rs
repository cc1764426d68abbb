//! Realtime fan-out inside one server node: open device sockets and login-ticket watchers.
//!
//! Each socket has a bounded queue. Pushing never waits: a socket whose queue is full has
//! fallen behind and is disconnected (it catches up from its event log when it reconnects), so
//! a slow or stuck receiver never slows the writer or anyone else.
//!
//! With several nodes (see `broker`), whatever one node's hub is told — committed events,
//! notices, sign-outs, login tickets — is also handed to the other nodes as a `Peer` message,
//! and theirs arrive through `from_peer`. Each user's pushes are kept in seq order: an event at
//! or below the last one pushed is a repeat and is dropped (the client fills any gap from its log).

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock,
    },
};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, Notify};
use uuid::Uuid;
use xin_proto::{Event, EventBody, ServerEvent};

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

/// One user's open sockets on this node.
#[derive(Default)]
struct UserSockets {
    conns: Vec<Conn>,
    /// The seq of the last event pushed to them; `None` until known.
    last_seq: Option<i64>,
    /// Events that came ahead of one still missing, held until it comes (from its writer, or
    /// from the log at the broker's next sweep) so the sockets get every seq in order.
    held: BTreeMap<i64, Event>,
}

/// Events held per user at most: beyond, they go out as they are and the client fills the gap
/// from the log itself.
const MAX_HELD: usize = 1024;

impl UserSockets {
    fn send(&mut self, event: Event) {
        self.last_seq = Some(event.seq);
        let event = Arc::new(ServerEvent::Event { event });
        for c in &self.conns {
            c.push(Outbound::Event(event.clone()));
        }
    }

    /// Sends what was held and is now next in line, and forgets what went out meanwhile.
    fn send_held(&mut self) {
        while let Some(entry) = self.held.first_entry() {
            match self.last_seq {
                Some(last) if *entry.key() <= last => {
                    entry.remove();
                }
                Some(last) if *entry.key() == last + 1 => {
                    let event = entry.remove();
                    self.send(event);
                }
                _ => break,
            }
        }
    }

    /// Gives up on a gap: what was held goes out in order.
    fn flush_held(&mut self) {
        for (_, event) in std::mem::take(&mut self.held) {
            self.send(event);
        }
    }
}

/// What one node's hub tells the others'.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Peer {
    /// Committed events of one user, in seq order.
    Events { user: Uuid, events: Vec<Event> },
    /// A notice outside the log, to all of a user's sockets or to one device's.
    Notice {
        user: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<Uuid>,
        event: Box<ServerEvent>,
    },
    /// A device was signed out (its sessions ended).
    SignOut {
        device: Uuid,
        reason: String,
        expired: bool,
    },
    /// A login ticket changed state.
    Ticket { id: String },
}

struct Inner {
    /// Open sockets by user, so a push touches only that user's sockets.
    users: Mutex<HashMap<Uuid, UserSockets>>,
    next_id: AtomicU64,
    tickets: broadcast::Sender<String>,
    queue: usize,
    /// Counted as events commit and reach sockets.
    metrics: crate::metrics::Metrics,
    /// Where messages for the other nodes go, once a broker is connected.
    peers: OnceLock<mpsc::UnboundedSender<Peer>>,
}

#[derive(Clone)]
pub struct Hub(Arc<Inner>);

/// Queues `event` on every open socket of `user`, or only on `device`'s (one shared copy).
fn push_to(
    users: &HashMap<Uuid, UserSockets>,
    user: Uuid,
    device: Option<Uuid>,
    event: ServerEvent,
) {
    if let Some(sockets) = users.get(&user) {
        let event = Arc::new(event);
        for c in &sockets.conns {
            if device.is_none_or(|d| d == c.device_id) {
                c.push(Outbound::Event(event.clone()));
            }
        }
    }
}

/// Queues a committed event in seq order: one pushed already (it came twice, or late) is
/// dropped, one ahead of a missing one is held until that one comes.
fn push_event(
    users: &mut HashMap<Uuid, UserSockets>,
    user: Uuid,
    event: Event,
    metrics: &crate::metrics::Metrics,
) {
    let Some(sockets) = users.get_mut(&user) else {
        return;
    };
    match sockets.last_seq {
        Some(last) if event.seq <= last => return,
        Some(last) if event.seq > last + 1 => {
            if sockets.held.len() < MAX_HELD {
                sockets.held.insert(event.seq, event);
                return;
            }
            sockets.flush_held();
            if sockets.last_seq.is_some_and(|last| event.seq <= last) {
                return;
            }
        }
        _ => {}
    }
    // Only what goes out counts: a copy the log sweep brings again is not a late push.
    let lag_ms = crate::time::now_ms().saturating_sub(event.at).max(0);
    metrics.push_lag_seconds.observe(lag_ms as f64 / 1000.0);
    sockets.send(event);
    sockets.send_held();
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
            if let Some(sockets) = users.get_mut(&self.user_id) {
                sockets.conns.retain(|c| c.id != self.id);
                if sockets.conns.is_empty() {
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
            metrics: crate::metrics::Metrics::default(),
            peers: OnceLock::new(),
        }))
    }

    /// From now on, what this hub is told also goes to the other nodes through `peers`.
    pub fn connect_peers(&self, peers: mpsc::UnboundedSender<Peer>) {
        let _ = self.0.peers.set(peers);
    }

    fn tell_peers(&self, msg: Peer) {
        if let Some(peers) = self.0.peers.get() {
            let _ = peers.send(msg);
        }
    }

    /// What another node told: acted on here, not passed on.
    pub fn from_peer(&self, msg: Peer) {
        match msg {
            Peer::Events { user, events } => {
                if let Ok(mut users) = self.0.users.lock() {
                    for event in events {
                        push_event(&mut users, user, event, &self.0.metrics);
                    }
                }
            }
            Peer::Notice {
                user,
                device,
                event,
            } => self.notice_here(user, device, &event),
            Peer::SignOut {
                device,
                reason,
                expired,
            } => self.sign_out_here(device, &reason, expired),
            Peer::Ticket { id } => {
                let _ = self.0.tickets.send(id);
            }
        }
    }

    /// Users with sockets here, and the last seq pushed to each (`None`: none yet).
    pub fn listening(&self) -> Vec<(Uuid, Option<i64>)> {
        self.0
            .users
            .lock()
            .map(|u| u.iter().map(|(id, s)| (*id, s.last_seq)).collect())
            .unwrap_or_default()
    }

    /// Records `head` as pushed to `user`'s sockets when nothing is yet: they caught up to it
    /// from the log themselves when they connected.
    pub fn note_head(&self, user: Uuid, head: i64) {
        if let Ok(mut users) = self.0.users.lock() {
            if let Some(sockets) = users.get_mut(&user) {
                sockets.last_seq.get_or_insert(head);
            }
        }
    }

    pub fn register(&self, user_id: Uuid, device_id: Uuid) -> Socket {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, outbound) = mpsc::channel(self.0.queue);
        let overflow = Arc::new(Notify::new());
        if let Ok(mut users) = self.0.users.lock() {
            users.entry(user_id).or_default().conns.push(Conn {
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

    /// A notice outside the event log (devices changed, a login request) to a user's sockets,
    /// on every node.
    pub fn send_to_user(&self, user: Uuid, event: &ServerEvent) {
        self.send_to(user, None, event);
    }

    /// A notice to one device of `user` (a call's signal), on whichever node holds its socket.
    pub fn send_to_device(&self, user: Uuid, device: Uuid, event: &ServerEvent) {
        self.send_to(user, Some(device), event);
    }

    fn send_to(&self, user: Uuid, device: Option<Uuid>, event: &ServerEvent) {
        self.notice_here(user, device, event);
        self.tell_peers(Peer::Notice {
            user,
            device,
            event: Box::new(event.clone()),
        });
    }

    fn notice_here(&self, user: Uuid, device: Option<Uuid>, event: &ServerEvent) {
        if let Ok(users) = self.0.users.lock() {
            push_to(&users, user, device, event.clone());
        }
    }

    fn each(&self, mut f: impl FnMut(&Conn)) {
        if let Ok(users) = self.0.users.lock() {
            users.values().flat_map(|s| &s.conns).for_each(&mut f);
        }
    }

    /// Open sockets on this node.
    pub fn sockets(&self) -> usize {
        self.0
            .users
            .lock()
            .map(|u| u.values().map(|s| s.conns.len()).sum())
            .unwrap_or(0)
    }

    /// Tells every socket of the device, on every node, it was signed out (or that its session
    /// `expired`), then closes them.
    pub fn sign_out_device(&self, device_id: Uuid, reason: &str, expired: bool) {
        self.sign_out_here(device_id, reason, expired);
        self.tell_peers(Peer::SignOut {
            device: device_id,
            reason: reason.to_string(),
            expired,
        });
    }

    fn sign_out_here(&self, device_id: Uuid, reason: &str, expired: bool) {
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

    /// Closes every socket over `window`, in slices of a random order, so the clients come
    /// back (to the other nodes) spread out rather than all in one instant.
    pub async fn close_gradually(&self, window: std::time::Duration) {
        use rand::seq::SliceRandom;
        const SLICES: usize = 10;
        let mut queues: Vec<mpsc::Sender<Outbound>> = Vec::new();
        self.each(|c| queues.push(c.tx.clone()));
        queues.shuffle(&mut rand::thread_rng());
        let per_slice = queues.len().div_ceil(SLICES).max(1);
        let mut slices = queues.chunks(per_slice);
        // The whole window passes even with few sockets: the balancer needs it to see `/ready`
        // fail and stop sending requests here.
        for _ in 0..SLICES {
            for q in slices.next().unwrap_or_default() {
                let _ = q.try_send(Outbound::Close);
            }
            tokio::time::sleep(window / SLICES as u32).await;
        }
    }

    /// Wakes whoever waits on the ticket, on every node.
    pub fn ticket_changed(&self, ticket_id: &str) {
        let _ = self.0.tickets.send(ticket_id.to_string());
        self.tell_peers(Peer::Ticket {
            id: ticket_id.to_string(),
        });
    }

    pub fn watch_tickets(&self) -> broadcast::Receiver<String> {
        self.0.tickets.subscribe()
    }
}

impl Hub {
    /// The node's counters and timings.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.0.metrics
    }

    /// Counts what this node committed: each message once (its sender's own copy), each
    /// wallet whose balance moved.
    fn count(&self, events: &[(Uuid, Event)]) {
        for (user, event) in events {
            match &event.body {
                EventBody::MessageNew { message, .. } if message.sender_id == *user => {
                    self.0.metrics.messages.inc();
                }
                EventBody::WalletChanged { .. } => {
                    self.0.metrics.wallet_changes.inc();
                }
                _ => {}
            }
        }
    }
}

impl crate::store::Publish for Hub {
    /// Pushes committed events, in order, to their users' open sockets, here and on the
    /// other nodes.
    fn publish(&self, events: Vec<(Uuid, Event)>) {
        self.count(&events);
        if self.0.peers.get().is_some() {
            let mut by_user: HashMap<Uuid, Vec<Event>> = HashMap::new();
            for (user, event) in &events {
                by_user.entry(*user).or_default().push(event.clone());
            }
            for (user, events) in by_user {
                self.tell_peers(Peer::Events { user, events });
            }
        }
        let Ok(mut users) = self.0.users.lock() else {
            return;
        };
        for (user, event) in events {
            push_event(&mut users, user, event, &self.0.metrics);
        }
    }

    fn committed(&self, writes: usize, took: std::time::Duration) {
        self.0.metrics.committed(writes, took);
    }
}
