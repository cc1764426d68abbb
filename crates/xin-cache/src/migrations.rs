//! Opening the caches: the folder they live in, the search functions their triggers call, and
//! the numbered migrations (`migrations/*.sql`) that bring each schema up to date.

use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::{
    cache::{AccountDb, AppDb},
    cache_key::{open_encrypted, CacheKey},
    error::{CoreError, CoreResult},
};

pub(crate) fn app_migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_app.sql")),
        M::up(include_str!("../migrations/0002_settings.sql")),
    ])
}

pub(crate) fn account_migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_account.sql")),
        M::up(include_str!("../migrations/0002_messaging.sql")),
        M::up(include_str!("../migrations/0003_transfers.sql")),
        M::up(include_str!("../migrations/0004_moments.sql")),
        M::up(include_str!("../migrations/0005_official.sql")),
        M::up(include_str!("../migrations/0006_search.sql")),
        M::up(include_str!("../migrations/0007_preview_event.sql")),
        M::up_with_hook(
            include_str!("../migrations/0008_last_message.sql"),
            |tx: &rusqlite::Transaction| {
                crate::chat_cache::refill_last_messages(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
    ])
}

fn open(path: &Path, migrations: &Migrations) -> CoreResult<Connection> {
    make_parent(path)?;
    prepare(Connection::open(path)?, migrations)
}

/// The folder the caches live in, readable by this user alone: what is cached (pictures,
/// files) must not be open to other accounts on the computer.
fn make_parent(path: &Path) -> CoreResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::Cache(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| CoreError::Cache(e.to_string()))?;
        }
    }
    Ok(())
}

pub(crate) fn prepare(mut conn: Connection, migrations: &Migrations) -> CoreResult<Connection> {
    // The search index's triggers call these (the account cache's migrations too).
    crate::search_index::register(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrations
        .to_latest(&mut conn)
        .map_err(|e| CoreError::Cache(e.to_string()))?;
    Ok(conn)
}

impl AppDb {
    /// Opens (creating if needed) the app-wide database at `path`.
    pub fn open(path: &Path) -> CoreResult<Self> {
        Ok(Self(open(path, &app_migrations())?))
    }
}

impl AccountDb {
    /// Opens (creating, or encrypting a plaintext one) the cache at `path`, encrypted with `key`.
    pub fn open(path: &Path, key: &CacheKey) -> CoreResult<Self> {
        make_parent(path)?;
        let conn = open_encrypted(path, key)?;
        Ok(Self(prepare(conn, &account_migrations())?))
    }
}
