//! SQLite through rusqlite, with cached prepared statements.
//!
//! Why not sqlx: its SQLite driver runs each statement on a worker thread and hands every
//! statement and row across a channel. A profile of the write path under load showed most of
//! the server's time in those thread wake-ups (futex, flume), not in SQLite.

use std::{path::Path, time::Duration};

use rusqlite::{
    types::{ToSqlOutput, ValueRef},
    CachedStatement, Connection, OpenFlags,
};

use super::{ColumnIndex, Param, Row, RowOf, Value};
use crate::error::{ApiError, ApiResult};

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("store: {e}"))
    }
}

/// Opens (creating) the database with the store's settings. Every commit is
/// `synchronous=FULL`: in WAL mode that syncs the log on each commit, so an acknowledged write
/// survives power loss; the writer's group commit shares that sync among a batch's writes.
pub(super) fn open(path: &Path) -> ApiResult<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
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

struct Bound<'v>(Value<'v>);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(n),
            Value::Real(x) => ValueRef::Real(x),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

/// A cached statement with `params[i]` bound to `$i+1`, wherever and however often it appears.
/// The statement's own parameter names are read (no lookup, no allocation per parameter: this
/// runs for every statement of every write).
fn prepare<'c>(
    c: &'c Connection,
    sql: &str,
    params: &[&dyn Param],
) -> ApiResult<CachedStatement<'c>> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut used = vec![false; params.len()];
    for index in 1..=stmt.parameter_count() {
        let param = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$')?.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .filter(|&i| i < params.len())
            .ok_or_else(|| {
                ApiError::Internal(format!("parameter {index} is given no value in: {sql}"))
            })?;
        used[param] = true;
        stmt.raw_bind_parameter(index, Bound(params[param].value()))?;
    }
    if let Some(unused) = used.iter().position(|u| !u) {
        return Err(ApiError::Internal(format!("no ${} in: {sql}", unused + 1)));
    }
    Ok(stmt)
}

pub(super) fn exec(c: &Connection, sql: &str, params: &[&dyn Param]) -> ApiResult<usize> {
    Ok(prepare(c, sql, params)?.raw_execute()?)
}

pub(super) fn all<T>(
    c: &Connection,
    sql: &str,
    params: &[&dyn Param],
    limit: Option<usize>,
    mut f: impl FnMut(&Row) -> ApiResult<T>,
) -> ApiResult<Vec<T>> {
    let mut stmt = prepare(c, sql, params)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(f(&Row(RowOf::Sqlite(r)))?);
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
    }
    Ok(out)
}

pub(super) fn value<'r>(r: &'r rusqlite::Row<'r>, i: impl ColumnIndex) -> ApiResult<Value<'r>> {
    let stmt = r.as_ref();
    let at = i
        .given()
        .or_else(|| i.position((0..stmt.column_count()).filter_map(|n| stmt.column_name(n).ok())))
        .ok_or_else(|| ApiError::Internal(format!("store: no column {i}")))?;
    Ok(match r.get_ref(at)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| ApiError::Internal(format!("store: column {i}: {e}")))?,
        ),
        ValueRef::Blob(b) => Value::Bytes(b),
    })
}
