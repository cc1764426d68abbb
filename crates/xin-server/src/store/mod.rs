//! The server's persistent state. Every SQL statement of the server lives under this module,
//! written so PostgreSQL accepts it too (`$n` parameters, no SQLite-only functions).

mod access_cache;
mod accounts;
mod blob_locks;
mod blobs;
mod calls;
mod contacts;
mod conversations;
mod envelopes;
pub(crate) mod ledger;
mod log;
mod member_cache;
mod messages;
mod mini_program_orders;
mod mini_programs;
mod moments;
mod moments_settings;
mod official;
mod payment_code_charges;
mod payments;
mod sessions;
mod sql;
mod tickets;
mod transfers;
mod upload_parts;
mod wallet;
pub use envelopes::NewEnvelope;
pub use mini_programs::{CheckedPackage, Package};
pub use moments::PostDraft;
pub use official::ArticleDraft;
pub use official::DueDelivery;
pub use payment_code_charges::{charge_not_found, Charged, NoPinLimits};
pub use payments::{NewPayment, Payer, PinCheck};
pub use transfers::NewTransfer;
pub use wallet::{BankRequest, PinClaim, PinRecord};
mod writer;

mod driver;
mod reads;

use std::sync::Arc;

use tokio::sync::Mutex;
use uuid::Uuid;

pub use accounts::{CreateUserError, NewUser, UserRow};
pub use blob_locks::BlobLocks;
pub use blobs::{quota_exceeded, BlobInfo, Collected, UploadRow};
pub use calls::Ending;
/// `xin-server backup` and `restore`: they read SQLite's file, so they live beside its driver.
pub use driver::backup;
pub use driver::{postgres_migrations, redact_url, sqlite_migrations, Backend, Migration};
pub use log::NewEvents;
pub use sessions::{Authed, IssuedSession, NewSession, RefreshOutcome, SessionCheck};
pub use tickets::{NewTicket, TicketRow};
pub use upload_parts::{OpenMultipart, StagedParts, UploadPart};
use writer::WriteCx;

pub use writer::Publish;

use crate::error::{ApiError, ApiResult};

#[derive(Clone)]
pub struct Store {
    /// Writes: batched and durably committed on SQLite, one transaction each on PostgreSQL;
    /// events pushed in commit order.
    writer: writer::Writer,
    writer_threads: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
    /// Reads, each a consistent snapshot on a read thread.
    reads: Arc<reads::Reads>,
    access: Arc<access_cache::AccessCache>,
    /// Where the store is, for connections of their own (blob locks).
    backend: Backend,
}

impl Store {
    /// Opens (creating if needed) the store, brings its schema up to date and starts the
    /// writer, which hands committed events to `publish`.
    pub async fn open(backend: &Backend, publish: impl Publish) -> ApiResult<Self> {
        Self::migrate(backend, None).await?;
        let backend = backend.clone();
        let writers = if backend.is_postgres() {
            writer::PG_WRITERS
        } else {
            1
        };
        let conns = tokio::task::spawn_blocking(move || {
            let conns = (0..writers)
                .map(|_| driver::Conn::open(&backend))
                .collect::<ApiResult<Vec<_>>>();
            conns.map(|c| (c, backend))
        })
        .await
        .map_err(|e| ApiError::Internal(format!("open the store: {e}")))?;
        let (conns, backend) = conns?;
        let (writer, threads) = writer::Writer::start(conns, backend.clone(), publish)?;
        Ok(Self {
            writer,
            writer_threads: Arc::new(Mutex::new(threads)),
            reads: Arc::new(reads::Reads::new(&backend)),
            access: Arc::default(),
            backend,
        })
    }

    /// Brings the schema up to date, or up to migration `upto`; returns the version reached.
    /// Refuses a database a newer server migrated further than this one knows.
    pub async fn migrate(backend: &Backend, upto: Option<i64>) -> ApiResult<i64> {
        if let Backend::Sqlite(dir) = backend {
            std::fs::create_dir_all(dir)
                .map_err(|e| ApiError::Internal(format!("create {}: {e}", dir.display())))?;
        }
        let backend = backend.clone();
        tokio::task::spawn_blocking(move || {
            let conn = driver::Conn::open(&backend)?;
            let version = driver::migrate(&conn, upto)?;
            if version.after != version.before {
                tracing::info!(from = version.before, to = version.after, "store migrated");
            }
            Ok(version.after)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("migrate the store: {e}")))?
    }

    /// Runs `f` through the writer (see `writer`): answered once durably committed.
    pub(crate) async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        self.writer.write(f).await
    }

    /// The hot path's write (see `Writer::write_checked`).
    pub(crate) async fn write_checked<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        self.writer.write_checked(f).await
    }

    /// One statement through the writer, for the writes that are one statement and produce no
    /// events (sessions, tickets, uploads); true when it changed exactly one row.
    pub(crate) async fn change_one(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn sql::Param + Send>>,
    ) -> ApiResult<bool> {
        self.write(move |cx| {
            let refs: Vec<&dyn sql::Param> = params
                .iter()
                .map(|p| p.as_ref() as &dyn sql::Param)
                .collect();
            Ok(sql::exec(&cx.conn, sql, &refs)? == 1)
        })
        .await
    }

    /// Counts one more in `key`'s window starting at `window` (ms); answers the count so far.
    /// Windows older than a minute before `now` are dropped on the way.
    pub async fn count_in_window(&self, key: String, window: i64, now: i64) -> ApiResult<i64> {
        self.write(move |cx| {
            let n = sql::one(
                &cx.conn,
                "INSERT INTO rate_counters (key, window_start, n) VALUES ($1, $2, 1)
                 ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counters.n + 1
                 RETURNING n",
                &[&key, &window],
                |r| r.get(0),
            )?
            .unwrap_or(1);
            sql::exec(
                &cx.conn,
                "DELETE FROM rate_counters WHERE key = $1 AND window_start < $2",
                &[&key, &(now - 120_000)],
            )?;
            Ok(n)
        })
        .await
    }

    /// Whether the database answers.
    pub async fn reachable(&self) -> bool {
        self.reads
            .run(|c| c.one("SELECT 1", &[], |_| Ok(())))
            .await
            .is_ok()
    }

    /// Forgets every trusted access token: sessions ended on another node.
    pub fn forget_access(&self) {
        self.access.forget_all();
    }

    /// Stops the writer after the writes already queued.
    pub async fn close(&self) {
        let threads = std::mem::take(&mut *self.writer_threads.lock().await);
        self.writer.stop().await;
        for thread in threads {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

pub(crate) fn parse_uuid(s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ApiError::Internal(format!("bad uuid in store: {e}")))
}
