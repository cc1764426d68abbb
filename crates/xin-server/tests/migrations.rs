#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each migration upgrades a database of the previous version without losing its data.

mod common;

use common::TestDatabase;
use sqlx::Row;
use xin_server::store::{postgres_migrations, sqlite_migrations, Backend, Store};

fn backend(dir: &std::path::Path) -> Backend {
    Backend::Sqlite(dir.to_path_buf())
}

/// The version of the migration whose name contains `name`.
fn version_of(name: &str) -> i64 {
    sqlite_migrations()
        .iter()
        .find(|m| m.name.contains(name))
        .unwrap_or_else(|| panic!("a migration named {name}"))
        .version
}

/// Migrates `dir`'s database up to `version` (the migration runner of this version).
async fn migrate_to(dir: &std::path::Path, version: i64) {
    assert_eq!(
        Store::migrate(&backend(dir), Some(version)).await.unwrap(),
        version
    );
}

/// A pool on `dir`'s database file, migrations not run.
async fn pool_in(dir: &std::path::Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join("xin.db"))
            .create_if_missing(true),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn every_migration_upgrades_the_previous_version() {
    let all = sqlite_migrations();
    assert!(all.len() >= 2);
    let newest = all.last().unwrap().version;
    for previous in &all[..all.len() - 1] {
        let dir = tempfile::tempdir().unwrap();
        migrate_to(dir.path(), previous.version).await;
        let pool = pool_in(dir.path()).await;
        // Data written by the previous version.
        sqlx::query("INSERT INTO users (id, handle, handle_key, phone, display_name, password_hash, avatar_hue, created_at)
                     VALUES ('u1', 'alice', 'alice', '13800000001', 'Alice', 'h', 5, 1)")
            .execute(&pool).await.unwrap();
        pool.close().await;
        migrate_to(dir.path(), newest).await;
        let pool = pool_in(dir.path()).await;
        let row = sqlx::query("SELECT handle, avatar_hue FROM users WHERE id = 'u1'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>("handle"), "alice");
        assert_eq!(row.get::<i64, _>("avatar_hue"), 5);
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(applied as usize, all.len());
        pool.close().await;
    }
}

/// Databases from before this runner were migrated by sqlx: its record is taken over and
/// nothing is applied twice.
#[tokio::test]
async fn a_database_migrated_by_sqlx_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let newest = sqlite_migrations().last().unwrap().version;
    migrate_to(dir.path(), newest).await;
    let pool = pool_in(dir.path()).await;
    sqlx::query("DROP TABLE schema_migrations")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    for m in sqlite_migrations() {
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, 1, x'00', 1)")
            .bind(m.version)
            .bind(m.name)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    // Re-running any migration would fail (its tables exist).
    let store = Store::open(&backend(dir.path()), xin_server::hub::Hub::default())
        .await
        .unwrap();
    store.close().await;
}

/// A server older than its database stops instead of running on a schema it does not know
/// (on this run's engine).
#[tokio::test]
async fn a_database_a_newer_server_migrated_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::fresh();
    let backend = TestDatabase::backend(db.as_ref(), dir.path());
    let newest = Store::migrate(&backend, None).await.unwrap();
    common::execute(
        db.as_ref(),
        dir.path(),
        &format!("INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'from the future', 1)", newest + 1),
    );
    let refused = Store::open(&backend, xin_server::hub::Hub::default())
        .await
        .err()
        .expect("refused");
    assert!(refused.to_string().contains("newer"), "{refused}");
}

/// Nodes started together migrate the schema once between them, and all start.
#[tokio::test]
async fn nodes_starting_together_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::fresh();
    let backend = TestDatabase::backend(db.as_ref(), dir.path());
    let nodes: Vec<_> = (0..4)
        .map(|_| {
            let backend = backend.clone();
            tokio::spawn(
                async move { Store::open(&backend, xin_server::hub::Hub::default()).await },
            )
        })
        .collect();
    for node in nodes {
        node.await.unwrap().unwrap().close().await;
    }
    let applied = common::query_i64(
        db.as_ref(),
        dir.path(),
        "SELECT COUNT(*) FROM schema_migrations",
    );
    let newest = Store::migrate(&backend, None).await.unwrap();
    let known = if db.is_some() {
        postgres_migrations().len()
    } else {
        sqlite_migrations().len()
    };
    assert_eq!(applied as usize, known);
    assert!(newest >= 1);
}

#[tokio::test]
async fn reopening_a_store_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&backend(dir.path()), xin_server::hub::Hub::default())
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(&backend(dir.path()), xin_server::hub::Hub::default())
        .await
        .unwrap();
    store.close().await;
}

/// A log written before entries became references (0003: every event a JSON copy) is still
/// served after 0004, event for event.
#[tokio::test]
async fn a_log_from_before_references_is_still_served() {
    let dir = tempfile::tempdir().unwrap();
    migrate_to(dir.path(), version_of("log_references") - 1).await;
    let pool = pool_in(dir.path()).await;
    let user = uuid::Uuid::now_v7();
    sqlx::query("INSERT INTO users (id, handle, handle_key, phone, display_name, password_hash, avatar_hue, created_at)
                 VALUES ($1, 'alice', 'alice', '13800000001', 'Alice', 'h', 5, 1)")
        .bind(user.to_string())
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO user_log (user_id, last_seq) VALUES ($1, 2)")
        .bind(user.to_string())
        .execute(&pool)
        .await
        .unwrap();
    for (seq, body) in [
        (
            1,
            r#"{"type":"contact_removed","user_id":"0190f3a0-0000-7000-8000-000000000001"}"#,
        ),
        (
            2,
            r#"{"type":"message_hidden","conversation_id":"0190f3a0-0000-7000-8000-000000000002","message_id":"0190f3a0-0000-7000-8000-000000000003"}"#,
        ),
    ] {
        sqlx::query("INSERT INTO events (user_id, seq, body, created_at) VALUES ($1, $2, $3, 7)")
            .bind(user.to_string())
            .bind(seq)
            .bind(body)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    let store = Store::open(&backend(dir.path()), xin_server::hub::Hub::default())
        .await
        .unwrap();
    let page = store.events(user, 0, 100, 2).await.unwrap();
    assert_eq!(page.head, 2);
    let kinds: Vec<String> = page
        .events
        .iter()
        .map(|e| {
            serde_json::to_value(&e.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["contact_removed", "message_hidden"]);
    assert_eq!(page.events[0].seq, 1);
    assert_eq!(page.events[1].at, 7);
    store.close().await;
}

/// Re-keying the idempotency records (0016) keeps every first answer: a payment retried after
/// the upgrade is replayed, not made again.
#[tokio::test]
async fn idempotency_records_survive_their_new_key() {
    let dir = tempfile::tempdir().unwrap();
    migrate_to(dir.path(), version_of("wallet_requests_by_key") - 1).await;
    let pool = pool_in(dir.path()).await;
    sqlx::query("INSERT INTO users (id, handle, handle_key, phone, display_name, password_hash, avatar_hue, created_at)
                 VALUES ('u1', 'alice', 'alice', '13800000001', 'Alice', 'h', 5, 1)")
        .execute(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO wallet_requests (user_id, key, fingerprint, response, created_at)
                 VALUES ('u1', 'k1', 'f', '{\"paid\":1}', 7)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    migrate_to(dir.path(), version_of("wallet_requests_by_key")).await;
    let pool = pool_in(dir.path()).await;
    let (fingerprint, response): (String, String) = sqlx::query_as(
        "SELECT fingerprint, response FROM wallet_requests WHERE key = 'k1' AND user_id = 'u1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (fingerprint.as_str(), response.as_str()),
        ("f", "{\"paid\":1}")
    );
    pool.close().await;
}
