//! Group commit: one task owns the store's write connection, takes every queued write and
//! commits them together in one transaction, so concurrent writers share one fsync
//! (`synchronous=FULL`: a commit survives power loss). Each write runs in its own savepoint,
//! so one that fails rolls back alone. Answers and events go out only after the commit that
//! holds them is durable, events in commit order, so a user's sockets see their seqs in order.

use std::{panic::AssertUnwindSafe, sync::Arc};

use futures_util::{future::BoxFuture, FutureExt};
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot, Notify};

use super::{log::Outbox, views::Views};
use crate::{
    error::{ApiError, ApiResult},
    hub::Hub,
};

/// The store's connection type, kept to this module tree.
pub(crate) type Conn = SqliteConnection;

/// Writes waiting for the writer; beyond this, callers wait (backpressure).
const QUEUE: usize = 16_384;
/// Writes per transaction at most.
const MAX_BATCH: usize = 2_048;

/// What one write sees: the connection inside the batch's transaction, the conversation views
/// the writer keeps, and the events this write produces.
pub struct WriteCx {
    pub(crate) conn: Conn,
    pub(crate) views: Views,
    pub(crate) out: Outbox,
}

/// A write, type-erased so writes of any result type share one queue.
trait Job: Send {
    /// Runs the write; false when it failed (its savepoint is rolled back).
    fn run<'c>(&'c mut self, cx: &'c mut WriteCx) -> BoxFuture<'c, bool>;
    /// Answers the caller once the batch's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

struct Typed<T, F> {
    f: Option<F>,
    result: Option<ApiResult<T>>,
    reply: oneshot::Sender<ApiResult<T>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut WriteCx) -> BoxFuture<'c, ApiResult<T>> + Send + 'static,
{
    fn run<'c>(&'c mut self, cx: &'c mut WriteCx) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(f) = self.f.take() else {
                return false;
            };
            // A panicking write must not take the writer (and every later write) down with it.
            let result = AssertUnwindSafe(f(cx))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| Err(ApiError::Internal("a store write panicked".into())));
            let ok = result.is_ok();
            self.result = Some(result);
            ok
        })
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

/// The handle writes are queued on.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
    stop: Arc<Notify>,
}

impl Writer {
    /// Starts the writer task on `conn`; it ends when every handle is dropped.
    pub fn start(conn: Conn, hub: Hub) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, rx) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(conn, rx, hub, stop.clone()));
        (Self { queue, stop }, task)
    }

    /// Refuses new writes; the task ends after committing those already queued.
    pub fn stop(&self) {
        self.stop.notify_one();
    }

    /// Runs `f` in the next batch; answers after the batch is durably committed.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut WriteCx) -> BoxFuture<'c, ApiResult<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Typed {
            f: Some(f),
            result: None,
            reply,
        });
        self.queue
            .send(job)
            .await
            .map_err(|_| ApiError::Internal("the store writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("the store writer dropped a write".into()))?
    }
}

async fn exec(conn: &mut Conn, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(conn).await.map(|_| ())
}

async fn run(conn: Conn, mut rx: mpsc::Receiver<Box<dyn Job>>, hub: Hub, stop: Arc<Notify>) {
    let mut cx = WriteCx {
        conn,
        views: Views::default(),
        out: Outbox::default(),
    };
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    loop {
        let first = tokio::select! {
            job = rx.recv() => job,
            () = stop.notified() => {
                rx.close();
                continue;
            }
        };
        let Some(first) = first else { break };
        // Whatever queued up while the last commit was syncing goes into this one.
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut events = Outbox::default();
        let committed = commit_batch(&mut cx, &mut batch, &mut events).await;
        if let Err(e) = &committed {
            tracing::error!("store batch of {} writes failed: {e}", batch.len());
            let _ = exec(&mut cx.conn, "ROLLBACK").await;
            cx.views.clear();
        } else {
            hub.publish(events.0);
        }
        let committed = committed.map_err(|e| e.to_string());
        for job in batch.drain(..) {
            job.finish(committed.clone());
        }
    }
    let _ = cx.conn.close_hard().await;
}

async fn commit_batch(
    cx: &mut WriteCx,
    batch: &mut [Box<dyn Job>],
    events: &mut Outbox,
) -> Result<(), sqlx::Error> {
    exec(&mut cx.conn, "BEGIN IMMEDIATE").await?;
    for job in batch.iter_mut() {
        exec(&mut cx.conn, "SAVEPOINT write").await?;
        if job.run(cx).await {
            exec(&mut cx.conn, "RELEASE write").await?;
            events.0.append(&mut cx.out.0);
        } else {
            exec(&mut cx.conn, "ROLLBACK TO write").await?;
            exec(&mut cx.conn, "RELEASE write").await?;
            cx.out.0.clear();
            // A failed write may have loaded views from rows it then rolled back.
            cx.views.clear();
        }
    }
    exec(&mut cx.conn, "COMMIT").await
}
