use sqlx::Row;
use uuid::Uuid;
use xin_proto::{Device, DeviceInfo, DeviceKind};

use super::{parse_uuid, Store};
use crate::{
    error::ApiResult,
    secrets::{hash_token, new_token},
    time::now_ms,
};

/// The device a request comes from, proven by its access token.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user_id: Uuid,
    pub device_id: Uuid,
    pub session_id: Uuid,
}

/// What a new session is for.
pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub device: &'a DeviceInfo,
    pub ip: &'a str,
    pub access_ttl_ms: i64,
    /// Reuse this (remembered) device instead of creating one; its older sessions end.
    pub device_id: Option<Uuid>,
    /// Issue a remember token (desktops signed in by QR).
    pub remember: bool,
}

/// Plain tokens, returned exactly once; the store keeps only hashes.
pub struct IssuedSession {
    pub device_id: Uuid,
    pub session_id: Uuid,
    pub access_token: String,
    pub refresh_token: String,
    pub remember_token: Option<String>,
}

pub enum SessionCheck {
    Valid(Authed),
    Unknown,
    Expired,
    Revoked,
}

pub enum RefreshOutcome {
    Rotated {
        user_id: Uuid,
        session: IssuedSession,
    },
    Unknown,
    Revoked,
    /// An already-used refresh token came back: the session was ended.
    Reused,
    /// The session reached its absolute lifetime and was ended.
    Lapsed {
        device_id: Uuid,
    },
}

impl Store {
    /// Creates (or reuses) the device and a session for it, in one transaction.
    pub async fn create_session(&self, new: NewSession<'_>) -> ApiResult<IssuedSession> {
        let now = now_ms();
        let access_token = new_token();
        let refresh_token = new_token();
        let remember_token = new.remember.then(new_token);
        let session_id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        let device_id = match new.device_id {
            Some(id) => {
                sqlx::query(
                    "UPDATE devices SET name = $1, os = $2, app_version = $3, ip = $4, last_active_at = $5,
                            remember_hash = COALESCE($6, remember_hash)
                     WHERE id = $7",
                )
                .bind(&new.device.name)
                .bind(&new.device.os)
                .bind(&new.device.app_version)
                .bind(new.ip)
                .bind(now)
                .bind(remember_token.as_deref().map(hash_token))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO devices (id, user_id, name, kind, os, app_version, ip, remember_hash, created_at, last_active_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                )
                .bind(id.to_string())
                .bind(new.user_id.to_string())
                .bind(&new.device.name)
                .bind(new.device.kind.as_str())
                .bind(&new.device.os)
                .bind(&new.device.app_version)
                .bind(new.ip)
                .bind(remember_token.as_deref().map(hash_token))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        sqlx::query(
            "INSERT INTO sessions (id, user_id, device_id, access_hash, access_expires_at, refresh_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(session_id.to_string())
        .bind(new.user_id.to_string())
        .bind(device_id.to_string())
        .bind(hash_token(&access_token))
        .bind(now + new.access_ttl_ms)
        .bind(hash_token(&refresh_token))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.access.forget_all();
        Ok(IssuedSession {
            device_id,
            session_id,
            access_token,
            refresh_token,
            remember_token,
        })
    }

    pub async fn check_access(&self, access_hash: &str) -> ApiResult<SessionCheck> {
        let now = now_ms();
        if let Some(authed) = self.access.get(access_hash, now) {
            return Ok(SessionCheck::Valid(authed));
        }
        let generation = self.access.generation();
        let row = sqlx::query(
            "SELECT s.id, s.user_id, s.device_id, s.access_expires_at, s.revoked_at, d.last_active_at
             FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.access_hash = $1",
        )
        .bind(access_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(SessionCheck::Unknown);
        };
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
            return Ok(SessionCheck::Revoked);
        }
        let expires_at: i64 = row.try_get("access_expires_at")?;
        if expires_at <= now {
            return Ok(SessionCheck::Expired);
        }
        let authed = Authed {
            session_id: parse_uuid(&row.try_get::<String, _>("id")?)?,
            user_id: parse_uuid(&row.try_get::<String, _>("user_id")?)?,
            device_id: parse_uuid(&row.try_get::<String, _>("device_id")?)?,
        };
        // "Last active" needs minute precision: write it at most once a minute, so ordinary
        // requests never take SQLite's write lock.
        if row.try_get::<i64, _>("last_active_at")? < now - 60_000 {
            sqlx::query("UPDATE devices SET last_active_at = $1 WHERE id = $2")
                .bind(now)
                .bind(authed.device_id.to_string())
                .execute(&self.pool)
                .await?;
        }
        self.access
            .put(generation, access_hash, authed.clone(), expires_at, now);
        Ok(SessionCheck::Valid(authed))
    }

    /// Rotates a refresh token: the old one is retired, a reused one ends the session.
    pub async fn refresh(
        &self,
        refresh_hash: &str,
        access_ttl_ms: i64,
        max_age_ms: i64,
    ) -> ApiResult<RefreshOutcome> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT id, user_id, device_id, revoked_at, created_at FROM sessions WHERE refresh_hash = $1",
        )
        .bind(refresh_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let retired: Option<String> =
                sqlx::query_scalar("SELECT session_id FROM retired_refresh_tokens WHERE hash = $1")
                    .bind(refresh_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Ok(match retired {
                Some(session_id) => {
                    sqlx::query(
                        "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                    )
                    .bind(now)
                    .bind(&session_id)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    self.access.forget_all();
                    RefreshOutcome::Reused
                }
                None => RefreshOutcome::Unknown,
            });
        };
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
            return Ok(RefreshOutcome::Revoked);
        }
        let session_id: String = row.try_get("id")?;
        if now - row.try_get::<i64, _>("created_at")? >= max_age_ms {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&session_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            self.access.forget_all();
            return Ok(RefreshOutcome::Lapsed {
                device_id: parse_uuid(&row.try_get::<String, _>("device_id")?)?,
            });
        }
        let access_token = new_token();
        let refresh_token = new_token();
        // The WHERE on the old hash makes two racing refreshes of one token yield one winner.
        let updated = sqlx::query(
            "UPDATE sessions SET access_hash = $1, access_expires_at = $2, refresh_hash = $3
             WHERE id = $4 AND refresh_hash = $5 AND revoked_at IS NULL",
        )
        .bind(hash_token(&access_token))
        .bind(now + access_ttl_ms)
        .bind(hash_token(&refresh_token))
        .bind(&session_id)
        .bind(refresh_hash)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(RefreshOutcome::Unknown);
        }
        sqlx::query("INSERT INTO retired_refresh_tokens (hash, session_id) VALUES ($1, $2)")
            .bind(refresh_hash)
            .bind(&session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.access.forget_all();
        Ok(RefreshOutcome::Rotated {
            user_id: parse_uuid(&row.try_get::<String, _>("user_id")?)?,
            session: IssuedSession {
                device_id: parse_uuid(&row.try_get::<String, _>("device_id")?)?,
                session_id: parse_uuid(&session_id)?,
                access_token,
                refresh_token,
                remember_token: None,
            },
        })
    }

    /// A session that is still signed in (its access token may have lapsed: the device
    /// refreshes it when it next speaks to the server).
    pub async fn signed_in(&self, session_id: Uuid) -> ApiResult<Option<Authed>> {
        let row = sqlx::query(
            "SELECT user_id, device_id FROM sessions WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(session_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Authed {
                session_id,
                user_id: parse_uuid(&row.try_get::<String, _>("user_id")?)?,
                device_id: parse_uuid(&row.try_get::<String, _>("device_id")?)?,
            })
        })
        .transpose()
    }

    pub async fn revoke_session(&self, session_id: Uuid) -> ApiResult<()> {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(session_id.to_string())
            .execute(&self.pool)
            .await?;
        self.access.forget_all();
        Ok(())
    }

    /// Signs a device out everywhere: its sessions end and it is no longer remembered.
    /// Returns false when the device is not the user's (or already removed).
    pub async fn remove_device(&self, user_id: Uuid, device_id: Uuid) -> ApiResult<bool> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE devices SET removed_at = $1, remember_hash = NULL
             WHERE id = $2 AND user_id = $3 AND removed_at IS NULL",
        )
        .bind(now)
        .bind(device_id.to_string())
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(device_id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.access.forget_all();
        Ok(true)
    }

    pub async fn devices(&self, user_id: Uuid, current: Uuid) -> ApiResult<Vec<Device>> {
        let rows = sqlx::query(
            "SELECT d.id, d.name, d.kind, d.os, d.app_version, d.ip, d.last_active_at, d.created_at,
                    EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = d.id AND s.revoked_at IS NULL) AS signed_in
             FROM devices d
             WHERE d.user_id = $1 AND d.removed_at IS NULL
             ORDER BY d.last_active_at DESC",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id = parse_uuid(&row.try_get::<String, _>("id")?)?;
                Ok(Device {
                    id,
                    name: row.try_get("name")?,
                    kind: DeviceKind::parse(&row.try_get::<String, _>("kind")?)
                        .unwrap_or(DeviceKind::Desktop),
                    os: row.try_get("os")?,
                    app_version: row.try_get("app_version")?,
                    ip: row.try_get("ip")?,
                    last_active_at: row.try_get("last_active_at")?,
                    created_at: row.try_get("created_at")?,
                    current: id == current,
                    signed_in: row.try_get::<bool, _>("signed_in")?,
                })
            })
            .collect()
    }

    /// The remembered device a remember token belongs to: (user, device).
    pub async fn remembered_device(&self, remember_hash: &str) -> ApiResult<Option<(Uuid, Uuid)>> {
        let row = sqlx::query(
            "SELECT user_id, id FROM devices WHERE remember_hash = $1 AND removed_at IS NULL",
        )
        .bind(remember_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                parse_uuid(&r.try_get::<String, _>("user_id")?)?,
                parse_uuid(&r.try_get::<String, _>("id")?)?,
            ))
        })
        .transpose()
    }
}
