//! Bringing a database's schema up to date: one numbered migration set per engine
//! (`migrations/sqlite`, `migrations/postgres`), each migration in its own transaction,
//! recorded in `schema_migrations`.
//!
//! Several PostgreSQL nodes may start together: the first takes an advisory lock and migrates,
//! the others wait for it and find nothing left to do. A node older than the database (one that
//! does not know its newest migration) refuses to start rather than run on a schema it does
//! not understand.

use super::{Begin, Conn};
use crate::error::{ApiError, ApiResult};

/// One numbered step of a schema.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

const fn m(version: i64, name: &'static str, sql: &'static str) -> Migration {
    Migration { version, name, sql }
}

/// Where a database's schema stood and stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemaVersion {
    pub before: i64,
    pub after: i64,
}

/// The oldest PostgreSQL this store supports (`server_version_num`).
const POSTGRES_MIN: i64 = 130_000;

/// Any fixed number: the advisory lock nodes migrate under.
const MIGRATION_LOCK: i64 = 0x5869_6e4d_6967;

/// The embedded store's migrations, oldest first.
pub fn sqlite_migrations() -> &'static [Migration] {
    SQLITE
}

/// PostgreSQL's migrations, oldest first.
pub fn postgres_migrations() -> &'static [Migration] {
    POSTGRES
}

static SQLITE: &[Migration] = &[
    m(
        1,
        "accounts",
        include_str!("../../../migrations/sqlite/0001_accounts.sql"),
    ),
    m(
        2,
        "login_tickets",
        include_str!("../../../migrations/sqlite/0002_login_tickets.sql"),
    ),
    m(
        3,
        "messaging",
        include_str!("../../../migrations/sqlite/0003_messaging.sql"),
    ),
    m(
        4,
        "log_references",
        include_str!("../../../migrations/sqlite/0004_log_references.sql"),
    ),
    m(
        5,
        "blobs",
        include_str!("../../../migrations/sqlite/0005_blobs.sql"),
    ),
    m(
        6,
        "wallet",
        include_str!("../../../migrations/sqlite/0006_wallet.sql"),
    ),
    m(
        7,
        "red_envelopes",
        include_str!("../../../migrations/sqlite/0007_red_envelopes.sql"),
    ),
    m(
        8,
        "payments",
        include_str!("../../../migrations/sqlite/0008_payments.sql"),
    ),
    m(
        9,
        "moments",
        include_str!("../../../migrations/sqlite/0009_moments.sql"),
    ),
    m(
        10,
        "official_accounts",
        include_str!("../../../migrations/sqlite/0010_official_accounts.sql"),
    ),
    m(
        11,
        "official_chat",
        include_str!("../../../migrations/sqlite/0011_official_chat.sql"),
    ),
    m(
        12,
        "official_developer",
        include_str!("../../../migrations/sqlite/0012_official_developer.sql"),
    ),
    m(
        13,
        "official_qr",
        include_str!("../../../migrations/sqlite/0013_official_qr.sql"),
    ),
    m(
        14,
        "official_avatar",
        include_str!("../../../migrations/sqlite/0014_official_avatar.sql"),
    ),
    m(
        15,
        "mini_programs",
        include_str!("../../../migrations/sqlite/0015_mini_programs.sql"),
    ),
    m(
        16,
        "wallet_requests_by_key",
        include_str!("../../../migrations/sqlite/0016_wallet_requests_by_key.sql"),
    ),
    m(
        17,
        "payment_code_charges",
        include_str!("../../../migrations/sqlite/0017_payment_code_charges.sql"),
    ),
    m(
        18,
        "member_history",
        include_str!("../../../migrations/sqlite/0018_member_history.sql"),
    ),
    m(
        19,
        "rate_counters",
        include_str!("../../../migrations/sqlite/0019_rate_counters.sql"),
    ),
    m(
        20,
        "upload_parts",
        include_str!("../../../migrations/sqlite/0020_upload_parts.sql"),
    ),
    m(
        21,
        "calls",
        include_str!("../../../migrations/sqlite/0021_calls.sql"),
    ),
];

static POSTGRES: &[Migration] = &[
    m(
        1,
        "schema",
        include_str!("../../../migrations/postgres/0001_schema.sql"),
    ),
    m(
        2,
        "rate_counters",
        include_str!("../../../migrations/postgres/0002_rate_counters.sql"),
    ),
    m(
        3,
        "upload_parts",
        include_str!("../../../migrations/postgres/0003_upload_parts.sql"),
    ),
    m(
        4,
        "calls",
        include_str!("../../../migrations/postgres/0004_calls.sql"),
    ),
];

/// Applies the migrations `conn`'s database lacks, up to `upto` (all when `None`).
pub(crate) fn migrate(conn: &Conn, upto: Option<i64>) -> ApiResult<SchemaVersion> {
    let set = if conn.is_postgres() { POSTGRES } else { SQLITE };
    if conn.is_postgres() {
        check_postgres_version(conn)?;
        conn.one(
            "SELECT pg_advisory_lock($1)",
            &[&MIGRATION_LOCK],
            |_| Ok(()),
        )?;
    }
    let result = apply(conn, set, upto);
    if conn.is_postgres() {
        conn.one("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK], |_| {
            Ok(())
        })?;
    }
    result
}

fn check_postgres_version(conn: &Conn) -> ApiResult<()> {
    let version: String = conn
        .one("SHOW server_version_num", &[], |r| r.get(0))?
        .unwrap_or_default();
    supported_postgres(&version).map_err(ApiError::Internal)
}

/// Refuses a server older than PostgreSQL 13 (`server_version_num`, e.g. `120022`), or one
/// whose version cannot be read.
fn supported_postgres(version_num: &str) -> Result<(), String> {
    match version_num.trim().parse::<i64>() {
        Ok(n) if n >= POSTGRES_MIN => Ok(()),
        _ => Err(format!(
            "PostgreSQL {version_num} is too old: Xin needs PostgreSQL 13 or newer"
        )),
    }
}

fn apply(conn: &Conn, set: &[Migration], upto: Option<i64>) -> ApiResult<SchemaVersion> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT   NOT NULL,
             applied_at BIGINT NOT NULL
         )",
    )?;
    if !conn.is_postgres() {
        adopt_sqlx_history(conn)?;
    }
    let before: i64 = conn
        .one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
            |r| r.get(0),
        )?
        .unwrap_or(0);
    let known = set.last().map_or(0, |m| m.version);
    if before > known {
        return Err(ApiError::Internal(format!(
            "the database's schema is version {before}, newer than this server knows ({known}): \
             a newer Xin server migrated it; run that version here too"
        )));
    }
    let mut after = before;
    for step in set
        .iter()
        .filter(|m| m.version > before && upto.is_none_or(|u| m.version <= u))
    {
        conn.begin(Begin::Write)?;
        // Another process may have applied it since `before` was read (two SQLite servers on
        // one file; PostgreSQL nodes wait on the lock instead).
        let applied = conn
            .one(
                "SELECT 1 FROM schema_migrations WHERE version = $1",
                &[&step.version],
                |_| Ok(()),
            )?
            .is_some();
        if applied {
            conn.commit()?;
            after = step.version;
            continue;
        }
        let done = conn.batch(step.sql).and_then(|()| {
            conn.exec(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&step.version, &step.name, &crate::time::now_ms()],
            )
        });
        match done {
            Ok(_) => conn.commit()?,
            Err(e) => {
                let _ = conn.rollback();
                let cause = match e {
                    ApiError::Internal(cause) => cause,
                    other => other.to_string(),
                };
                return Err(ApiError::Internal(format!(
                    "migration {} ({}): {cause}",
                    step.version, step.name
                )));
            }
        }
        after = step.version;
    }
    Ok(SchemaVersion { before, after })
}

/// Databases made before this runner were migrated by sqlx, which kept its own table: its
/// successful versions are taken over once.
fn adopt_sqlx_history(conn: &Conn) -> ApiResult<()> {
    let had_sqlx = conn
        .one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            &[],
            |_| Ok(()),
        )?
        .is_some();
    if had_sqlx {
        conn.exec(
            "INSERT INTO schema_migrations (version, name, applied_at)
             SELECT version, description, 0 FROM _sqlx_migrations WHERE success
             ON CONFLICT (version) DO NOTHING",
            &[],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration file that is not listed would silently never run.
    #[test]
    fn every_migration_file_is_listed_in_order() -> std::io::Result<()> {
        for (dir, set) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&path)? {
                files.push(entry?.file_name().to_string_lossy().into_owned());
            }
            files.sort();
            let listed: Vec<String> = set
                .iter()
                .map(|m| format!("{:04}_{}.sql", m.version, m.name))
                .collect();
            assert_eq!(files, listed, "{dir}");
        }
        Ok(())
    }

    #[test]
    fn a_postgresql_older_than_13_is_refused_with_its_version() {
        let refused = supported_postgres("120022").unwrap_err();
        assert!(
            refused.contains("120022") && refused.contains("PostgreSQL 13"),
            "{refused}"
        );
        assert!(supported_postgres("").is_err());
        assert!(supported_postgres("130000").is_ok());
        assert!(supported_postgres("150004\n").is_ok());
    }
}
