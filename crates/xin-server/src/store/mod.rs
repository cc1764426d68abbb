//! The server's persistent state. Every SQL statement of the server lives under this module,
//! written so PostgreSQL accepts it too (`$n` parameters, no SQLite-only functions).

mod access_cache;
mod accounts;
mod blobs;
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

use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    migrate::Migrator,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Sqlite, SqlitePool, Transaction,
};
use tokio::sync::Mutex;
use uuid::Uuid;

pub use accounts::{CreateUserError, NewUser, UserRow};
pub use blobs::{quota_exceeded, BlobInfo, Collected, UploadRow};
pub use log::NewEvents;
pub use sessions::{Authed, IssuedSession, NewSession, RefreshOutcome, SessionCheck};
pub use tickets::{NewTicket, TicketRow};
use writer::WriteCx;

pub use writer::Publish;

use crate::error::{ApiError, ApiResult};

/// Numbered `.sql` migrations, each applied in its own transaction.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A transaction on the sqlx pool (accounts, sessions, tickets).
pub(crate) type Tx<'a> = Transaction<'a, Sqlite>;

#[derive(Clone)]
pub struct Store {
    /// Reads, and the few writes outside the messaging path (accounts, sessions, tickets).
    pool: SqlitePool,
    /// Messaging writes: batched, durably committed, events pushed in commit order.
    writer: writer::Writer,
    writer_thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    /// Messaging reads (see `sql` for why these two are not sqlx).
    reads: Arc<sql::Reads>,
    access: Arc<access_cache::AccessCache>,
}

impl Store {
    /// Opens (creating if needed) `xin.db` in `dir`, brings its schema up to date and starts
    /// the writer, which hands committed events to `publish`.
    pub async fn open(dir: &Path, publish: impl Publish) -> ApiResult<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| ApiError::Internal(format!("create {}: {e}", dir.display())))?;
        let path = dir.join("xin.db");
        let pool = Self::connect(&path).await?;
        MIGRATOR.run(&pool).await?;
        let (writer, thread) = writer::Writer::start(sql::open(&path)?, publish)?;
        Ok(Self {
            pool,
            writer,
            writer_thread: Arc::new(Mutex::new(Some(thread))),
            reads: Arc::new(sql::Reads::new(&path)),
            access: Arc::default(),
        })
    }

    /// Every connection commits with `synchronous=FULL`: in WAL mode that syncs the log on
    /// each commit, so an acknowledged write survives power loss. The writer's group commit
    /// shares that sync among every write of a batch.
    fn options(path: &Path) -> ApiResult<SqliteConnectOptions> {
        Ok(
            SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .statement_cache_capacity(256),
        )
    }

    async fn connect(path: &Path) -> ApiResult<SqlitePool> {
        Ok(SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(Self::options(path)?)
            .await?)
    }

    /// Runs `f` through the writer (see `writer`): answered once durably committed.
    pub(crate) async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        self.writer.write(f).await
    }

    /// The hot path's write (see `Writer::write_checked`).
    pub(crate) async fn write_checked<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCx) -> ApiResult<T> + Send + 'static,
    {
        self.writer.write_checked(f).await
    }

    /// A write transaction outside the writer. SQLite's deferred BEGIN would fail with
    /// SQLITE_BUSY when two writers both upgrade from reading; IMMEDIATE takes the write lock
    /// up front and waits (busy_timeout) instead. A PostgreSQL store uses a plain BEGIN.
    pub(crate) async fn begin(&self) -> ApiResult<Tx<'static>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Stops the writer after the writes already queued, then closes the pool.
    pub async fn close(&self) {
        let thread = self.writer_thread.lock().await.take();
        self.writer.stop().await;
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        self.pool.close().await;
    }
}

pub(crate) fn parse_uuid(s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ApiError::Internal(format!("bad uuid in store: {e}")))
}
