//! The store's one seam to a database engine. Everything above it speaks in `Conn`, `Row`,
//! `Param` and `Column`; only `sqlite` and `postgres` here name an engine's own types.
//!
//! The SQL itself is shared: `$n` parameters, `ON CONFLICT`, `RETURNING`, integer booleans and
//! no engine-only functions, so one statement runs on both. What differs (opening, transaction
//! modes, the schema's types) is said once, here.

pub mod backup;
mod migrate;
mod postgres;
mod sqlite;
mod value;

use std::{fmt, path::PathBuf};

pub(crate) use migrate::migrate;
pub use migrate::{postgres_migrations, sqlite_migrations, Migration};
pub use postgres::redact as redact_url;
pub(crate) use value::{Column, Param, Value};

use crate::error::{ApiError, ApiResult};

/// Which engine holds the store, and where.
#[derive(Clone, Debug)]
pub enum Backend {
    /// The embedded default: `xin.db` in this directory.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by connection URL (`postgres://user:pass@host:port/db`).
    Postgres(String),
}

impl Backend {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// One connection, used by one thread at a time.
pub(crate) struct Conn(Engine);

enum Engine {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::PgConn>),
}

/// A row of a result, read by position or by column name.
pub(crate) struct Row<'a>(RowOf<'a>);

enum RowOf<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a ::postgres::Row),
}

/// A position or a column name.
pub(crate) trait ColumnIndex: Copy + fmt::Display {
    /// The position, when it is one (the engine checks its range): no names to look through.
    fn given(self) -> Option<usize>;
    /// The position among `names`.
    fn position<'n>(self, names: impl Iterator<Item = &'n str>) -> Option<usize>;
}

impl ColumnIndex for usize {
    fn given(self) -> Option<usize> {
        Some(self)
    }

    fn position<'n>(self, mut names: impl Iterator<Item = &'n str>) -> Option<usize> {
        names.nth(self).map(|_| self)
    }
}

impl ColumnIndex for &str {
    fn given(self) -> Option<usize> {
        None
    }

    fn position<'n>(self, mut names: impl Iterator<Item = &'n str>) -> Option<usize> {
        names.position(|n| n == self)
    }
}

impl Row<'_> {
    /// Column `i` as `T`. (`get::<_, T>` names the index type first, as rusqlite did.)
    pub(crate) fn get<I: ColumnIndex, T: Column>(&self, i: I) -> ApiResult<T> {
        let value = match &self.0 {
            RowOf::Sqlite(r) => sqlite::value(r, i)?,
            RowOf::Postgres(r) => postgres::value(r, i)?,
        };
        T::column(value).map_err(|e| ApiError::Internal(format!("store: column {i}: {e}")))
    }
}

/// What a transaction is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Begin {
    /// A consistent snapshot to read from.
    Read,
    /// Changes. On SQLite the write lock is taken up front (a deferred transaction that later
    /// writes could fail with SQLITE_BUSY instead of waiting).
    Write,
}

impl Conn {
    pub(crate) fn open(backend: &Backend) -> ApiResult<Self> {
        Ok(Self(match backend {
            Backend::Sqlite(dir) => Engine::Sqlite(sqlite::open(&dir.join("xin.db"))?),
            Backend::Postgres(url) => Engine::Postgres(Box::new(postgres::PgConn::open(url)?)),
        }))
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.0, Engine::Postgres(_))
    }

    /// Runs a statement; returns the rows it changed.
    pub(crate) fn exec(&self, sql: &str, params: &[&dyn Param]) -> ApiResult<usize> {
        match &self.0 {
            Engine::Sqlite(c) => sqlite::exec(c, sql, params),
            Engine::Postgres(c) => c.exec(sql, params),
        }
    }

    /// Every row, each read by `f`.
    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row) -> ApiResult<T>,
    ) -> ApiResult<Vec<T>> {
        match &self.0 {
            Engine::Sqlite(c) => sqlite::all(c, sql, params, None, f),
            Engine::Postgres(c) => c.all(sql, params, None, f),
        }
    }

    /// The first row, if any.
    pub(crate) fn one<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row) -> ApiResult<T>,
    ) -> ApiResult<Option<T>> {
        let rows = match &self.0 {
            Engine::Sqlite(c) => sqlite::all(c, sql, params, Some(1), f),
            Engine::Postgres(c) => c.all(sql, params, Some(1), f),
        }?;
        Ok(rows.into_iter().next())
    }

    /// Several statements without parameters (a migration, a transaction's control).
    pub(crate) fn batch(&self, sql: &str) -> ApiResult<()> {
        match &self.0 {
            Engine::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Engine::Postgres(c) => c.batch(sql),
        }
    }

    pub(crate) fn begin(&self, what: Begin) -> ApiResult<()> {
        self.batch(match (&self.0, what) {
            (Engine::Sqlite(_), Begin::Read) => "BEGIN",
            (Engine::Sqlite(_), Begin::Write) => "BEGIN IMMEDIATE",
            // A read sees one snapshot across its statements, as a SQLite read transaction does.
            (Engine::Postgres(_), Begin::Read) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            (Engine::Postgres(_), Begin::Write) => "BEGIN",
        })
    }

    /// Begins a transaction, first replacing the connection if the database dropped it while
    /// it sat idle (a restart, an ended session): nothing has run on it, so beginning again
    /// on a new one is safe, and the request never sees the old one's end.
    pub(crate) fn begin_or_reconnect(&mut self, backend: &Backend, what: Begin) -> ApiResult<()> {
        match self.begin(what) {
            Err(e) if self.is_broken() => {
                tracing::info!("store connection dropped by the database ({e}): reconnecting");
                *self = Self::open(backend)?;
                self.begin(what)
            }
            begun => begun,
        }
    }

    pub(crate) fn commit(&self) -> ApiResult<()> {
        self.batch("COMMIT")
    }

    pub(crate) fn rollback(&self) -> ApiResult<()> {
        self.batch("ROLLBACK")
    }

    /// What makes a SELECT take its rows' write locks until the transaction ends: needed on
    /// PostgreSQL, where other writers run at once; SQLite has none, and needs none (its
    /// writer excludes every other write).
    pub(crate) fn for_update(&self) -> &'static str {
        match self.0 {
            Engine::Sqlite(_) => "",
            Engine::Postgres(_) => " FOR UPDATE",
        }
    }

    /// Whether the last transaction lost a deadlock or serialization race, which the database
    /// settled by failing it: the write is to be run again from the start. Clears the mark.
    pub(crate) fn take_conflict(&self) -> bool {
        match &self.0 {
            Engine::Sqlite(_) => false,
            Engine::Postgres(c) => c.take_conflict(),
        }
    }

    /// Whether the connection is gone (the database restarted, or ended it): one to replace.
    pub(crate) fn is_broken(&self) -> bool {
        match &self.0 {
            Engine::Sqlite(_) => false,
            Engine::Postgres(c) => c.is_closed(),
        }
    }

    /// The SQLite connection, for what only SQLite has (checkpoint tuning).
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.0 {
            Engine::Sqlite(c) => Some(c),
            Engine::Postgres(_) => None,
        }
    }
}

/// A `LIKE … ESCAPE '\'` pattern that finds `q` anywhere, case-insensitively (compare with
/// `lower(column)`): `%` and `_` in what people type are matched as themselves.
pub(crate) fn contains_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
