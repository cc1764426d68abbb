//! The per-user event log: gap-free seq allocated inside the writer's transaction.

use sqlx::{Sqlite, Transaction};
use uuid::Uuid;
use xin_proto::{Event, EventBody, EventPage};

use super::Store;
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

pub type Tx<'a> = Transaction<'a, Sqlite>;

/// Events written by one operation, to push to the users' sockets once it commits.
#[derive(Default)]
pub struct Outbox(pub Vec<(Uuid, Event)>);

impl Outbox {
    /// Appends `body` to `user`'s log within `tx`.
    pub async fn append(&mut self, tx: &mut Tx<'_>, user: Uuid, body: EventBody) -> ApiResult<()> {
        // An UPSERT that returns the new value: one statement, row-locked on PostgreSQL too.
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO user_log (user_id, last_seq) VALUES ($1, 1)
             ON CONFLICT (user_id) DO UPDATE SET last_seq = user_log.last_seq + 1
             RETURNING last_seq",
        )
        .bind(user.to_string())
        .fetch_one(&mut **tx)
        .await?;
        let at = now_ms();
        let json = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        sqlx::query("INSERT INTO events (user_id, seq, body, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user.to_string())
            .bind(seq)
            .bind(json)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        self.0.push((user, Event { seq, at, body }));
        Ok(())
    }
}

impl Store {
    /// A write transaction. SQLite's deferred BEGIN would fail with SQLITE_BUSY when two
    /// writers both upgrade from reading; IMMEDIATE takes the write lock up front and waits
    /// (busy_timeout) instead. A PostgreSQL store uses a plain BEGIN.
    pub(crate) async fn begin(&self) -> ApiResult<Tx<'static>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A read-only transaction: a consistent snapshot without taking the write lock.
    pub(crate) async fn read(&self) -> ApiResult<Tx<'static>> {
        Ok(self.pool.begin().await?)
    }

    /// Events after `after`, oldest first, at most `limit`.
    pub async fn events(&self, user: Uuid, after: i64, limit: i64) -> ApiResult<EventPage> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT seq, body, created_at FROM events WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(user.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let head: Option<i64> =
            sqlx::query_scalar("SELECT last_seq FROM user_log WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_optional(&self.pool)
                .await?;
        let events = rows
            .into_iter()
            .map(|(seq, body, at)| {
                serde_json::from_str(&body)
                    .map(|body| Event { seq, at, body })
                    .map_err(|e| ApiError::Internal(format!("event {seq}: {e}")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(EventPage {
            events,
            head: head.unwrap_or(0),
        })
    }
}
