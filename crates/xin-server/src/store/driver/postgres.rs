//! PostgreSQL through the synchronous rust-postgres client: the store's reads and writes run
//! on threads of their own (never inside tokio's runtime), as with SQLite, so the same
//! closures run on both.

use std::{cell::RefCell, collections::HashMap, error::Error};

use bytes::BytesMut;
use postgres::{
    types::{to_sql_checked, IsNull, ToSql, Type},
    Client, NoTls, Statement,
};

use super::{ColumnIndex, Param, Row, RowOf, Value};
use crate::error::{ApiError, ApiResult};

fn failed(e: postgres::Error) -> ApiError {
    // The server's message (with its detail) says more than the client's summary.
    match e.as_db_error() {
        Some(db) => ApiError::Internal(format!(
            "store: {} ({}){}",
            db.message(),
            db.code().code(),
            db.detail().map(|d| format!(": {d}")).unwrap_or_default()
        )),
        None => ApiError::Internal(format!("store: {e}")),
    }
}

/// A connection and the statements it has prepared (PostgreSQL plans each once per session).
pub(super) struct PgConn {
    client: RefCell<Client>,
    prepared: RefCell<HashMap<String, Statement>>,
}

impl PgConn {
    pub(super) fn open(url: &str) -> ApiResult<Self> {
        let client = Client::connect(url, NoTls).map_err(|e| {
            ApiError::Internal(format!(
                "cannot connect to PostgreSQL at {}: {e}",
                redact(url)
            ))
        })?;
        Ok(Self {
            client: RefCell::new(client),
            prepared: RefCell::default(),
        })
    }

    fn statement(&self, sql: &str) -> ApiResult<Statement> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.borrow_mut().prepare(sql).map_err(failed)?;
        self.prepared.borrow_mut().insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    pub(super) fn exec(&self, sql: &str, params: &[&dyn Param]) -> ApiResult<usize> {
        let stmt = self.statement(sql)?;
        let values = bound(params);
        let n = self
            .client
            .borrow_mut()
            .execute(&stmt, &refs(&values))
            .map_err(failed)?;
        usize::try_from(n).map_err(|e| ApiError::Internal(e.to_string()))
    }

    pub(super) fn all<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        limit: Option<usize>,
        mut f: impl FnMut(&Row) -> ApiResult<T>,
    ) -> ApiResult<Vec<T>> {
        let stmt = self.statement(sql)?;
        let values = bound(params);
        // The rows are fetched before `f` runs: `f` may query this connection again.
        let rows = self
            .client
            .borrow_mut()
            .query(&stmt, &refs(&values))
            .map_err(failed)?;
        rows.iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|r| f(&Row(RowOf::Postgres(r))))
            .collect()
    }

    pub(super) fn batch(&self, sql: &str) -> ApiResult<()> {
        self.client.borrow_mut().batch_execute(sql).map_err(failed)
    }
}

/// A URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug)]
struct Bound<'v>(Value<'v>);

fn bound<'p>(params: &'p [&dyn Param]) -> Vec<Bound<'p>> {
    params.iter().map(|p| Bound(p.value())).collect()
}

fn refs<'a>(values: &'a [Bound<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for Bound<'_> {
    /// Binds to whatever type PostgreSQL inferred for the parameter: the schema keeps integers
    /// as BIGINT, but an expression can ask for INTEGER or BOOLEAN.
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => n.to_string().to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound as {ty}").into()),
            },
            Value::Real(x) => match *ty {
                Type::FLOAT8 => x.to_sql(ty, out),
                _ => Err(format!("a real cannot be bound as {ty}").into()),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

pub(super) fn value<'r>(r: &'r postgres::Row, i: impl ColumnIndex) -> ApiResult<Value<'r>> {
    let at = i
        .position(r.columns().iter().map(postgres::Column::name))
        .ok_or_else(|| ApiError::Internal(format!("store: no column {i}")))?;
    let ty = r.columns()[at].type_().clone();
    let read = |e: postgres::Error| ApiError::Internal(format!("store: column {i}: {e}"));
    Ok(match ty {
        Type::INT8 => r
            .try_get::<_, Option<i64>>(at)
            .map_err(read)?
            .map(Value::Int),
        Type::INT4 => r
            .try_get::<_, Option<i32>>(at)
            .map_err(read)?
            .map(|n| Value::Int(n.into())),
        Type::INT2 => r
            .try_get::<_, Option<i16>>(at)
            .map_err(read)?
            .map(|n| Value::Int(n.into())),
        Type::BOOL => r
            .try_get::<_, Option<bool>>(at)
            .map_err(read)?
            .map(|b| Value::Int(b.into())),
        Type::FLOAT8 => r
            .try_get::<_, Option<f64>>(at)
            .map_err(read)?
            .map(Value::Real),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => r
            .try_get::<_, Option<&str>>(at)
            .map_err(read)?
            .map(Value::Text),
        Type::BYTEA => r
            .try_get::<_, Option<&[u8]>>(at)
            .map_err(read)?
            .map(Value::Bytes),
        other => {
            return Err(ApiError::Internal(format!(
                "store: column {i} is {other}; cast it (a SUM is NUMERIC: CAST(SUM(…) AS BIGINT))"
            )))
        }
    }
    .unwrap_or(Value::Null))
}
