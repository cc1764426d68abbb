//! Values crossing the seam: what a statement is given (`Param`) and what a column holds
//! (`Column`). The five kinds are SQLite's storage classes; PostgreSQL's types map onto them
//! (integers and booleans to `Int`, text to `Text`, bytea to `Bytes`).

/// A value borrowed from a parameter or a row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl Value<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
        }
    }
}

/// A statement parameter.
pub(crate) trait Param {
    fn value(&self) -> Value<'_>;
}

macro_rules! int_params {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_params!(i64, i32, u32, u16, u8, bool);

impl Param for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl Param for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}

impl Param for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

/// A type a column is read as.
pub(crate) trait Column: Sized {
    fn column(v: Value<'_>) -> Result<Self, String>;
}

fn wrong(v: Value<'_>, want: &str) -> String {
    format!("{} where {want} was expected", v.kind())
}

impl Column for i64 {
    fn column(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Int(n) => Ok(n),
            _ => Err(wrong(v, "an integer")),
        }
    }
}

macro_rules! narrow_columns {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn column(v: Value<'_>) -> Result<Self, String> {
                let n = i64::column(v)?;
                <$t>::try_from(n).map_err(|_| format!("{n} is out of range"))
            }
        }
    )*};
}
narrow_columns!(i32, u32, u64, u16, u8, usize);

impl Column for bool {
    fn column(v: Value<'_>) -> Result<Self, String> {
        Ok(i64::column(v)? != 0)
    }
}

impl Column for f64 {
    fn column(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Real(x) => Ok(x),
            #[allow(clippy::cast_precision_loss)]
            Value::Int(n) => Ok(n as f64),
            _ => Err(wrong(v, "a number")),
        }
    }
}

impl Column for String {
    fn column(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.to_owned()),
            _ => Err(wrong(v, "text")),
        }
    }
}

impl Column for Vec<u8> {
    fn column(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Bytes(b) => Ok(b.to_vec()),
            _ => Err(wrong(v, "bytes")),
        }
    }
}

impl Column for () {
    fn column(_: Value<'_>) -> Result<Self, String> {
        Ok(())
    }
}

impl<T: Column> Column for Option<T> {
    fn column(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::column(v).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_what_they_hold_and_refuse_what_they_do_not() {
        assert_eq!(i64::column(Value::Int(7)), Ok(7));
        assert_eq!(bool::column(Value::Int(1)), Ok(true));
        assert_eq!(
            u8::column(Value::Int(300)),
            Err("300 is out of range".into())
        );
        assert_eq!(Option::<String>::column(Value::Null), Ok(None));
        assert_eq!(String::column(Value::Text("a")), Ok("a".into()));
        assert!(String::column(Value::Int(1)).is_err());
        assert_eq!(Some("x").value(), Value::Text("x"));
        assert_eq!(None::<i64>.value(), Value::Null);
        assert_eq!(true.value(), Value::Int(1));
    }
}
