//! Group commit: on SQLite one thread owns the store's write connection, takes every queued
//! write and commits them together in one transaction, so concurrent writers share one fsync
//! (`synchronous=FULL`: a commit survives power loss). Each write runs in its own savepoint,
//! so one that fails rolls back alone. Answers and events go out only after the commit that
//! holds them is durable, events in commit order, so a user's sockets see their seqs in order.
//!
//! On PostgreSQL each write is a short transaction of its own, on [`PG_WRITERS`] threads with
//! a connection each: the database shares WAL flushes among concurrent commits itself, and row
//! locks (the log heads, taken in id order) keep every user's seqs gap-free in commit order.
//! A write the database fails to end a deadlock or serialization race is run again from the
//! start (so writes are `FnMut`: nothing they capture may be used up), up to
//! [`MAX_ATTEMPTS`] times. Events from two threads may reach the hub out of order; it puts
//! each user's back in seq order.

use std::{
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex},
};

use tokio::sync::{mpsc, oneshot};

use super::{
    driver::{Backend, Begin, Conn},
    log::NewEvents,
    member_cache::MemberCache,
};
use crate::error::{ApiError, ApiResult};

/// Where the writer hands each committed batch's events, in commit order: the node's hub
/// (its open sockets). The store names no layer above it; whoever opens it says where events go.
pub trait Publish: Clone + Send + 'static {
    fn publish(&self, events: Vec<(uuid::Uuid, xin_proto::Event)>);

    /// A batch of `writes` committed in `took` (retries included), for the metrics.
    fn committed(&self, _writes: usize, _took: std::time::Duration) {}
}

/// Writes waiting for the writer; beyond this, callers wait (backpressure).
const QUEUE: usize = 16_384;
/// Writes per transaction at most.
const MAX_BATCH: usize = 4_096;
/// Writer threads (and connections) per node on PostgreSQL.
pub const PG_WRITERS: usize = 4;
/// Runs of one write that lost a deadlock or serialization race, at most.
const MAX_ATTEMPTS: u32 = 8;
/// Log pages (4 KiB) between checkpoints.
const CHECKPOINT_PAGES: i64 = 8_192;

/// What one write sees: the connection inside the batch's transaction, the member cache
/// the writer keeps, and the events this write produces.
pub(crate) struct WriteCx {
    pub(crate) conn: Conn,
    pub(crate) members: MemberCache,
    pub(crate) out: NewEvents,
}

/// How a write ended.
#[derive(PartialEq, Eq)]
enum Outcome {
    Done,
    /// Refused (bad input, not allowed): a client error.
    Refused,
    /// Failed inside the store.
    Failed,
}

/// A write, type-erased so writes of any result type share one queue.
trait Job: Send {
    /// Whether it runs in its own savepoint (see `Writer::write_checked`).
    fn guarded(&self) -> bool;
    fn run(&mut self, cx: &mut WriteCx) -> Outcome;
    /// Answers the caller once the batch's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

struct Typed<T, F> {
    f: F,
    guarded: bool,
    result: Option<ApiResult<T>>,
    reply: oneshot::Sender<ApiResult<T>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send + 'static,
    F: FnMut(&mut WriteCx) -> ApiResult<T> + Send + 'static,
{
    fn guarded(&self) -> bool {
        self.guarded
    }

    fn run(&mut self, cx: &mut WriteCx) -> Outcome {
        // A panicking write must not take the writer (and every later write) down with it.
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| (self.f)(cx)))
            .unwrap_or_else(|_| Err(ApiError::Internal("a store write panicked".into())));
        let outcome = match &result {
            Ok(_) => Outcome::Done,
            Err(ApiError::Client(..)) => Outcome::Refused,
            Err(ApiError::Internal(_)) => Outcome::Failed,
        };
        self.result = Some(result);
        outcome
    }

    fn finish(self: Box<Self>, committed: Result<(), String>) {
        let answer = match (self.result, committed) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (Some(Ok(_)), Err(e)) => Err(ApiError::Internal(format!("commit: {e}"))),
            (None, _) => Err(ApiError::Internal("write never ran".into())),
        };
        let _ = self.reply.send(answer);
    }
}

enum Msg {
    Write(Box<dyn Job>),
    /// Refuse new writes; finish those already queued.
    Stop,
}

/// The handle writes are queued on.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Msg>,
}

impl Writer {
    /// Starts a writer thread on each of `conns`, connections to `backend` (opened again if
    /// one breaks), all taking writes from one queue.
    pub fn start(
        conns: Vec<Conn>,
        backend: Backend,
        publish: impl Publish,
    ) -> ApiResult<(Self, Vec<std::thread::JoinHandle<()>>)> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(conns.len());
        for (i, conn) in conns.into_iter().enumerate() {
            let (backend, rx, publish) = (backend.clone(), rx.clone(), publish.clone());
            let thread = std::thread::Builder::new()
                .name(format!("xin-store-writer-{i}"))
                .spawn(move || run(conn, &backend, &rx, publish))
                .map_err(|e| ApiError::Internal(format!("start the store writer: {e}")))?;
            threads.push(thread);
        }
        Ok((Self { queue }, threads))
    }

    /// Runs `f` in the next batch, in its own savepoint (a refusal after some changes undoes
    /// just them); answers after the batch is durably committed.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        self.queue_write(f, true).await
    }

    /// Like `write`, without the savepoint, for the hot path: `f` must make every check
    /// before its first change, so a refusal has changed nothing. A store failure after a
    /// change fails the whole batch (every write in it is answered with the error and none
    /// is committed), which keeps "no partial writes" without paying a savepoint per write.
    pub async fn write_checked<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        self.queue_write(f, false).await
    }

    async fn queue_write<T, F>(&self, f: F, guarded: bool) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Typed {
            f,
            guarded,
            result: None,
            reply,
        });
        self.queue
            .send(Msg::Write(job))
            .await
            .map_err(|_| ApiError::Internal("the store writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("the store writer dropped a write".into()))?
    }

    /// The thread ends after committing the writes already queued.
    pub async fn stop(&self) {
        let _ = self.queue.send(Msg::Stop).await;
    }
}

/// The queue the writer threads share: whichever is free takes the next write.
type Queue = Arc<Mutex<mpsc::Receiver<Msg>>>;

fn run(conn: Conn, backend: &Backend, rx: &Queue, publish: impl Publish) {
    // A checkpoint every 32 MiB of log instead of SQLite's 4 MiB: the hot pages (every
    // user's log tail, every wallet's postings) are dirtied by every batch, and each checkpoint
    // copies them into the database and syncs twice, on this thread. Fewer checkpoints write
    // each hot page once per many batches; the cost is a longer log to replay after a crash.
    if let Some(Err(e)) = conn
        .sqlite()
        .map(|c| c.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES))
    {
        tracing::warn!("checkpoint interval: {e}");
    }
    // PostgreSQL shares WAL flushes among concurrent commits itself, and a long transaction
    // there holds row locks that other nodes wait on: each write commits on its own.
    let max_batch = if conn.is_postgres() { 1 } else { MAX_BATCH };
    let mut cx = WriteCx {
        conn,
        members: MemberCache::default(),
        out: NewEvents::default(),
    };
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            let Ok(mut rx) = rx.lock() else {
                return;
            };
            let Some(first) = rx.blocking_recv() else {
                return;
            };
            // Whatever queued up while the last commit was syncing goes into this one.
            let mut next = Some(first);
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Write(job) => batch.push(job),
                    Msg::Stop => rx.close(),
                }
                if batch.len() < max_batch {
                    next = rx.try_recv().ok();
                }
            }
        }
        if batch.is_empty() {
            continue;
        }
        let mut events = NewEvents::default();
        let started = std::time::Instant::now();
        let committed = commit_with_retries(&mut cx, backend, &mut batch, &mut events);
        if committed.is_ok() {
            publish.committed(batch.len(), started.elapsed());
            #[cfg(debug_assertions)]
            die_before_publish_if_due(&events);
            publish.publish(events.0);
        }
        let committed = committed.map_err(|e| e.to_string());
        for job in batch.drain(..) {
            job.finish(committed.clone());
        }
    }
}

/// A failpoint for tests, in debug builds only: `XIN_FAILPOINT_DIE_BEFORE_PUBLISH=N` ends the
/// process right after the N-th commit that has events, before they are published — the one
/// moment of a node's death that only the other nodes' log sweep makes up for.
#[cfg(debug_assertions)]
fn die_before_publish_if_due(events: &NewEvents) {
    use std::sync::{
        atomic::{AtomicU64, Ordering},
        LazyLock,
    };
    static LEFT: LazyLock<Option<AtomicU64>> = LazyLock::new(|| {
        std::env::var("XIN_FAILPOINT_DIE_BEFORE_PUBLISH")
            .ok()
            .and_then(|n| n.parse().ok())
            .map(AtomicU64::new)
    });
    if events.0.is_empty() {
        return;
    }
    if let Some(left) = LEFT.as_ref() {
        if left.fetch_sub(1, Ordering::SeqCst) == 1 {
            eprintln!("xin-server: failpoint: dying after a commit, before its publish");
            std::process::abort();
        }
    }
}

/// Commits the batch, running it again while the database fails it to settle a race.
fn commit_with_retries(
    cx: &mut WriteCx,
    backend: &Backend,
    batch: &mut [Box<dyn Job>],
    events: &mut NewEvents,
) -> ApiResult<()> {
    let mut attempt = 1;
    loop {
        cx.conn.take_conflict();
        let started = std::time::Instant::now();
        let committed = commit_batch(cx, backend, batch, events);
        tracing::debug!(writes = batch.len(), took = ?started.elapsed(), "store batch committed");
        // A write that lost a race inside its savepoint was rolled back alone and the
        // transaction committed without it; it still has to run.
        let lost_race = cx.conn.take_conflict();
        if let Err(e) = &committed {
            if !lost_race {
                tracing::error!("store batch of {} writes failed: {e}", batch.len());
            }
            let _ = cx.conn.rollback();
            cx.members.clear();
            if cx.conn.is_broken() {
                // The database restarted or ended the connection: later writes get a new one.
                match Conn::open(backend) {
                    Ok(conn) => cx.conn = conn,
                    Err(e) => tracing::error!("store writer: reconnect: {e}"),
                }
            }
        }
        if !lost_race || attempt >= MAX_ATTEMPTS {
            return committed;
        }
        tracing::info!(
            attempt,
            "store write lost a deadlock or serialization race: run again"
        );
        events.0.clear();
        // The winner holds its locks until it commits: give it a moment, more each time.
        let wait = 1 + rand::random::<u64>() % (2u64 << attempt);
        std::thread::sleep(std::time::Duration::from_millis(wait));
        attempt += 1;
    }
}

fn commit_batch(
    cx: &mut WriteCx,
    backend: &Backend,
    batch: &mut [Box<dyn Job>],
    events: &mut NewEvents,
) -> ApiResult<()> {
    cx.conn.begin_or_reconnect(backend, Begin::Write)?;
    for job in batch.iter_mut() {
        if cx.conn.is_postgres() {
            // Other nodes change members and blocks too, and this cache hears only of this
            // node's writes: on a shared database every write reads them afresh.
            cx.members.clear();
        }
        let guarded = job.guarded();
        if guarded {
            cx.conn.batch("SAVEPOINT write")?;
        }
        match (job.run(cx), guarded) {
            (Outcome::Done, _) => {
                if guarded {
                    cx.conn.batch("RELEASE write")?;
                }
                events.0.append(&mut cx.out.0);
            }
            (_, true) => {
                cx.conn.batch("ROLLBACK TO write; RELEASE write")?;
                cx.out.0.clear();
                // A failed write may have cached members from rows it then rolled back.
                cx.members.clear();
            }
            // Refused before its first change: nothing to undo.
            (Outcome::Refused, false) => cx.out.0.clear(),
            (Outcome::Failed, false) => {
                cx.out.0.clear();
                return Err(ApiError::Internal(
                    "a write failed after its first change".into(),
                ));
            }
        }
    }
    cx.conn.commit()
}
