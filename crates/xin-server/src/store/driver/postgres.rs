//! PostgreSQL through the synchronous rust-postgres client: the store's reads and writes run
//! on threads of their own (never inside tokio's runtime), as with SQLite, so the same
//! closures run on both.

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    error::Error,
};

use bytes::BytesMut;
use postgres::{
    types::{to_sql_checked, FromSql, IsNull, ToSql, Type},
    Client, NoTls, Statement,
};

use super::{ColumnIndex, Param, Row, RowOf, Value};
use crate::error::{ApiError, ApiResult};

/// The server's message (with its detail) and the statement: more than the client's summary.
fn described(e: &postgres::Error, sql: &str) -> ApiError {
    let statement: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let statement: String = statement.chars().take(160).collect();
    match e.as_db_error() {
        Some(db) => ApiError::Internal(format!(
            "store: {} ({}){} in: {statement}",
            db.message(),
            db.code().code(),
            db.detail().map(|d| format!(": {d}")).unwrap_or_default()
        )),
        None => ApiError::Internal(format!("store: {e} in: {statement}")),
    }
}

/// Whether the transaction lost a race the database resolves by ending one side: run it again.
fn is_conflict(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    })
}

/// Whether the error says the connection is over (the database shut down or ended this
/// session): nothing more can run on it.
fn ends_connection(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.is_closed()
        || e.code().is_some_and(|c| {
            *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW
        })
}

/// A connection and the statements it has prepared (PostgreSQL plans each once per session).
pub(super) struct PgConn {
    client: RefCell<Client>,
    prepared: RefCell<HashMap<String, Statement>>,
    /// Set when a statement lost a deadlock or serialization race (see `Conn::take_conflict`).
    conflicted: Cell<bool>,
    /// Set when an error said the session is over, which the client may learn only later.
    ended: Cell<bool>,
}

impl PgConn {
    pub(super) fn open(url: &str) -> ApiResult<Self> {
        let unreachable = |e: &dyn std::fmt::Display| {
            ApiError::Internal(format!(
                "cannot connect to PostgreSQL at {}: {e}",
                redact(url)
            ))
        };
        let mut config: postgres::Config = url.parse().map_err(|e| unreachable(&e))?;
        // A database behind a dropped route must fail the start, not hang it.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        let client = config.connect(NoTls).map_err(|e| unreachable(&e))?;
        Ok(Self {
            client: RefCell::new(client),
            prepared: RefCell::default(),
            conflicted: Cell::new(false),
            ended: Cell::new(false),
        })
    }

    fn failed(&self, e: postgres::Error, sql: &str) -> ApiError {
        if is_conflict(&e) {
            self.conflicted.set(true);
        }
        if ends_connection(&e) {
            self.ended.set(true);
        }
        described(&e, sql)
    }

    pub(super) fn take_conflict(&self) -> bool {
        self.conflicted.replace(false)
    }

    fn statement(&self, sql: &str) -> ApiResult<Statement> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self
            .client
            .borrow_mut()
            .prepare(sql)
            .map_err(|e| self.failed(e, sql))?;
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
            .map_err(|e| self.failed(e, sql))?;
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
            .map_err(|e| self.failed(e, sql))?;
        rows.iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|r| f(&Row(RowOf::Postgres(r))))
            .collect()
    }

    pub(super) fn is_closed(&self) -> bool {
        self.ended.get() || self.client.borrow().is_closed()
    }

    pub(super) fn batch(&self, sql: &str) -> ApiResult<()> {
        self.client
            .borrow_mut()
            .batch_execute(sql)
            .map_err(|e| self.failed(e, sql))
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

/// A NUMERIC holding a whole number that fits in i64 (sums of money and sizes).
struct Integral(i64);

impl<'a> FromSql<'a> for Integral {
    /// The binary form: digit count, weight, sign, scale, then base-10 000 digits, the first
    /// worth 10 000^weight.
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let word = |i: usize| -> Result<i16, BoxError> {
            raw.get(i * 2..i * 2 + 2)
                .map(|b| i16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a short NUMERIC".into())
        };
        let (digits, weight, sign) = (word(0)?, word(1)?, word(2)? as u16);
        if sign == 0xC000 {
            return Err("NaN where a number was expected".into());
        }
        let mut n: i64 = 0;
        for d in 0..usize::try_from(digits)? {
            let digit = i64::from(word(4 + d)?);
            let place = i64::from(weight) - i64::try_from(d)?;
            if place < 0 {
                if digit != 0 {
                    return Err("a fraction where a whole number was expected".into());
                }
                continue;
            }
            let worth = 10_000_i64
                .checked_pow(u32::try_from(place)?)
                .and_then(|w| w.checked_mul(digit))
                .ok_or("a NUMERIC too large for 64 bits")?;
            n = n
                .checked_add(worth)
                .ok_or("a NUMERIC too large for 64 bits")?;
        }
        Ok(Self(if sign == 0x4000 { -n } else { n }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

pub(super) fn value<'r>(r: &'r postgres::Row, i: impl ColumnIndex) -> ApiResult<Value<'r>> {
    let at = i
        .given()
        .or_else(|| i.position(r.columns().iter().map(postgres::Column::name)))
        .ok_or_else(|| ApiError::Internal(format!("store: no column {i}")))?;
    let ty = r
        .columns()
        .get(at)
        .ok_or_else(|| ApiError::Internal(format!("store: no column {i}")))?
        .type_()
        .clone();
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
        // A SUM over BIGINT is NUMERIC on PostgreSQL (an integer on SQLite).
        Type::NUMERIC => r
            .try_get::<_, Option<Integral>>(at)
            .map_err(read)?
            .map(|n| Value::Int(n.0)),
        other => {
            return Err(ApiError::Internal(format!(
                "store: column {i} is {other}, which the store does not read"
            )))
        }
    }
    .unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(digits: &[i16], weight: i16, sign: u16) -> Vec<u8> {
        let mut raw = Vec::new();
        for w in [digits.len() as i16, weight, sign as i16, 0] {
            raw.extend(w.to_be_bytes());
        }
        for d in digits {
            raw.extend(d.to_be_bytes());
        }
        raw
    }

    #[test]
    fn whole_numerics_read_as_integers_and_fractions_are_refused() -> Result<(), BoxError> {
        let read = |raw: Vec<u8>| Integral::from_sql(&Type::NUMERIC, &raw).map(|n| n.0);
        // 123 456 789 = 1·10000² + 2345·10000 + 6789
        assert_eq!(read(numeric(&[1, 2345, 6789], 2, 0))?, 123_456_789);
        assert_eq!(read(numeric(&[42], 0, 0x4000))?, -42);
        assert_eq!(read(numeric(&[], 0, 0))?, 0);
        // 50 000 = 5·10000¹ (a trailing zero digit is left out).
        assert_eq!(read(numeric(&[5], 1, 0))?, 50_000);
        assert!(read(numeric(&[1, 5000], 0, 0)).is_err(), "1.5");
        assert!(read(numeric(&[1], 5, 0)).is_err(), "10^20 overflows");
        Ok(())
    }
}
