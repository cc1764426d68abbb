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
