//! The server's persistent state. Every SQL statement of the server lives under this module,
//! written so PostgreSQL accepts it too (`$n` parameters, no SQLite-only functions).

mod accounts;
mod chats;
mod contacts;
mod log;
mod sessions;
mod tickets;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    migrate::Migrator,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};
use uuid::Uuid;

pub use accounts::{CreateUserError, NewUser, UserRow};
pub use log::Outbox;
pub use sessions::{IssuedSession, NewSession, RefreshOutcome, SessionCheck};
pub use tickets::{NewTicket, TicketRow};

use crate::error::{ApiError, ApiResult};

/// Numbered `.sql` migrations, each applied in its own transaction.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) `xin.db` in `dir` and brings its schema up to date.
    pub async fn open(dir: &Path) -> ApiResult<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| ApiError::Internal(format!("create {}: {e}", dir.display())))?;
        let pool = Self::connect(&dir.join("xin.db")).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// A pool on the database file without running migrations (for migration tests).
    pub async fn connect(path: &Path) -> ApiResult<SqlitePool> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Ok(SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn parse_uuid(s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ApiError::Internal(format!("bad uuid in store: {e}")))
}
