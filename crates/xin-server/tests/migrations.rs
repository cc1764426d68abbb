#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each migration upgrades a database of the previous version without losing its data.

use sqlx::{migrate::Migrator, Row};
use xin_server::store::{Store, MIGRATOR};

#[tokio::test]
async fn every_migration_upgrades_the_previous_version() {
    let all: Vec<_> = MIGRATOR.iter().cloned().collect();
    assert!(all.len() >= 2);
    for upto in 1..all.len() {
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.path().join("xin.db"))
                .create_if_missing(true),
        )
        .await
        .unwrap();
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
