//! The statements' side of the driver seam (`driver`): run a statement, read its rows. Every
//! domain module calls these with `$n` SQL that both engines accept.

pub(crate) use super::driver::{contains_pattern, Conn, Param, Row};
use crate::error::ApiResult;

/// Runs a statement; returns the rows it changed.
pub(crate) fn exec(c: &Conn, sql: &str, params: &[&dyn Param]) -> ApiResult<usize> {
    c.exec(sql, params)
}

/// The first row, if any.
pub(crate) fn one<T>(
    c: &Conn,
    sql: &str,
    params: &[&dyn Param],
    f: impl FnMut(&Row) -> ApiResult<T>,
) -> ApiResult<Option<T>> {
    c.one(sql, params, f)
}

/// Every row.
pub(crate) fn all<T>(
    c: &Conn,
    sql: &str,
    params: &[&dyn Param],
    f: impl FnMut(&Row) -> ApiResult<T>,
) -> ApiResult<Vec<T>> {
    c.all(sql, params, f)
}

/// Takes row `id` of `table`'s lock until the transaction ends (on PostgreSQL; SQLite's one
/// writer needs none), before the write reads the row: writes to one row then run one after
/// another, each seeing what the last one left, instead of two deciding from the same state.
pub(crate) fn lock_row(c: &Conn, table: &'static str, id: uuid::Uuid) -> ApiResult<()> {
    one(
        c,
        &format!("SELECT 1 FROM {table} WHERE id = $1{}", c.for_update()),
        &[&id.to_string()],
        |_| Ok(()),
    )?;
    Ok(())
}
