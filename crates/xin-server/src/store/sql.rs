//! How the messaging store talks to SQLite: rusqlite with cached prepared statements, on the
//! writer's own thread or on a small pool of read connections used from blocking tasks.
//!
//! Why not sqlx here: sqlx's SQLite driver runs each statement on a worker thread and hands
//! every statement and row across a channel. A profile of the write path under load showed
//! most of the server's time in those thread wake-ups (futex, flume), not in SQLite. The SQL
//! itself stays PostgreSQL-compatible: `$n` parameters, bound by name here.

use std::{path::Path, time::Duration};

use rusqlite::{CachedStatement, Connection, OpenFlags, Row, ToSql};

use crate::error::{ApiError, ApiResult};

pub(crate) type Conn = Connection;

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("store: {e}"))
    }
}

/// Opens a connection with the store's settings (see `Store::options` for why FULL).
pub(crate) fn open(path: &Path) -> ApiResult<Conn> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    c.busy_timeout(Duration::from_secs(5))?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "FULL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    // Hot pages stay in memory and are read without a system call each.
    c.pragma_update(None, "cache_size", -32_768)?;
    c.pragma_update(None, "mmap_size", 1_i64 << 30)?;
    c.pragma_update(None, "temp_store", "MEMORY")?;
    c.set_prepared_statement_cache_capacity(256);
    Ok(c)
}

/// A cached statement with `params[i]` bound to `$i+1`, wherever and however often it appears.
fn prepare<'c>(c: &'c Conn, sql: &str, params: &[&dyn ToSql]) -> ApiResult<CachedStatement<'c>> {
    let mut stmt = c.prepare_cached(sql)?;
    for (i, p) in params.iter().enumerate() {
        let name = format!("${}", i + 1);
        let index = stmt
            .parameter_index(&name)?
            .ok_or_else(|| ApiError::Internal(format!("no {name} in: {sql}")))?;
        stmt.raw_bind_parameter(index, p)?;
    }
    Ok(stmt)
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

/// Runs a statement; returns the rows it changed.
pub(crate) fn exec(c: &Conn, sql: &str, params: &[&dyn ToSql]) -> ApiResult<usize> {
    Ok(prepare(c, sql, params)?.raw_execute()?)
}

/// The first row, if any.
pub(crate) fn one<T>(
    c: &Conn,
    sql: &str,
    params: &[&dyn ToSql],
    mut f: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> ApiResult<Option<T>> {
    let mut stmt = prepare(c, sql, params)?;
    let mut rows = stmt.raw_query();
    Ok(match rows.next()? {
        Some(r) => Some(f(r)?),
        None => None,
    })
}

/// Every row.
pub(crate) fn all<T>(
    c: &Conn,
    sql: &str,
    params: &[&dyn ToSql],
    mut f: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> ApiResult<Vec<T>> {
    let mut stmt = prepare(c, sql, params)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(f(r)?);
    }
    Ok(out)
}

/// A read to run on one of the read threads.
type ReadJob = Box<dyn FnOnce(&mut Option<Conn>) + Send>;

/// The store's reads run on threads of their own, each with its own connection, never on
/// tokio's shared blocking pool: whatever else holds that pool (uploads receiving slowly,
/// argon2, file reads) cannot keep the API from reading.
pub(crate) struct Reads {
    jobs: crossbeam_channel::Sender<ReadJob>,
}

/// Read threads, each with one connection; WAL lets them all read while the writer writes.
const READERS: usize = 8;

impl Reads {
    pub fn new(path: &Path) -> Self {
        let (jobs, queue) = crossbeam_channel::unbounded::<ReadJob>();
        for i in 0..READERS {
            let (queue, path) = (queue.clone(), path.to_path_buf());
            let spawned = std::thread::Builder::new()
                .name(format!("xin-read-{i}"))
                .spawn(move || {
                    let mut conn = None;
                    // Ends when the store is dropped and the last sender with it.
                    while let Ok(job) = queue.recv() {
                        if conn.is_none() {
                            conn = open(&path).ok();
                        }
                        job(&mut conn);
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("store: cannot start read thread {i}: {e}");
            }
        }
        Self { jobs }
    }

    /// Runs `f` in a read transaction (a consistent snapshot) on a read thread.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> ApiResult<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: ReadJob = Box::new(move |slot: &mut Option<Conn>| {
            let _ = tx.send(read(slot, f));
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Internal("the read threads are gone".into()))?;
        rx.await
            .map_err(|_| ApiError::Internal("a read thread stopped".into()))?
    }
}

fn read<T>(slot: &mut Option<Conn>, f: impl FnOnce(&Conn) -> ApiResult<T>) -> ApiResult<T> {
    let conn = slot
        .as_ref()
        .ok_or_else(|| ApiError::Internal("cannot open a read connection".into()))?;
    exec(conn, "BEGIN", &[])?;
    let result = f(conn);
    let ended = exec(conn, "COMMIT", &[]);
    if ended.is_err() {
        // A connection whose transaction could not end is not used again.
        *slot = None;
    }
    let value = result?;
    ended?;
    Ok(value)
}
