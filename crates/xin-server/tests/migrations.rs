#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each migration upgrades a database of the previous version without losing its data.

use sqlx::{migrate::Migrator, Row};
use xin_server::store::{Store, MIGRATOR};

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
    let all: Vec<_> = MIGRATOR.iter().cloned().collect();
    assert!(all.len() >= 2);
    for upto in 1..all.len() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool_in(dir.path()).await;
        let previous = Migrator {
            migrations: std::borrow::Cow::Owned(all[..upto].to_vec()),
            ..Migrator::DEFAULT
        };
        previous.run(&pool).await.unwrap();
        // Data written by the previous version.
        sqlx::query("INSERT INTO users (id, handle, handle_key, phone, display_name, password_hash, avatar_hue, created_at)
                     VALUES ('u1', 'alice', 'alice', '13800000001', 'Alice', 'h', 5, 1)")
            .execute(&pool).await.unwrap();
        MIGRATOR.run(&pool).await.unwrap();
        let row = sqlx::query("SELECT handle, avatar_hue FROM users WHERE id = 'u1'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>("handle"), "alice");
        assert_eq!(row.get::<i64, _>("avatar_hue"), 5);
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(applied as usize, all.len());
        pool.close().await;
    }
}

#[tokio::test]
async fn reopening_a_store_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), xin_server::hub::Hub::default())
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(dir.path(), xin_server::hub::Hub::default())
        .await
        .unwrap();
    store.close().await;
}

/// A log written before entries became references (0003: every event a JSON copy) is still
/// served after 0004, event for event.
#[tokio::test]
async fn a_log_from_before_references_is_still_served() {
    let all: Vec<_> = MIGRATOR.iter().cloned().collect();
    let upto = all
        .iter()
        .position(|m| m.description.contains("log references"))
        .expect("the 0004 migration");
    let dir = tempfile::tempdir().unwrap();
    let pool = pool_in(dir.path()).await;
    Migrator {
        migrations: std::borrow::Cow::Owned(all[..upto].to_vec()),
        ..Migrator::DEFAULT
    }
    .run(&pool)
    .await
    .unwrap();
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

    let store = Store::open(dir.path(), xin_server::hub::Hub::default())
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
    let all: Vec<_> = MIGRATOR.iter().cloned().collect();
    let before = all
        .iter()
        .position(|m| m.description.contains("wallet requests by key"))
        .expect("migration 0016");
    let dir = tempfile::tempdir().unwrap();
    let pool = pool_in(dir.path()).await;
    Migrator {
        migrations: std::borrow::Cow::Owned(all[..before].to_vec()),
        ..Migrator::DEFAULT
    }
    .run(&pool)
    .await
    .unwrap();
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
    MIGRATOR.run(&pool).await.unwrap();
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
