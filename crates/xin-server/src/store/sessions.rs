use uuid::Uuid;
use xin_proto::{Device, DeviceInfo, DeviceKind};

use super::{parse_uuid, sql, Store};
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
        let (user, device, ip) = (
            new.user_id.to_string(),
            new.device.clone(),
            new.ip.to_owned(),
        );
        let (access_hash, refresh_hash) = (hash_token(&access_token), hash_token(&refresh_token));
        let remember_hash = remember_token.as_deref().map(hash_token);
        let (reuse, ttl) = (new.device_id, new.access_ttl_ms);
        let device_id = self
            .write(move |cx| {
                let c = &cx.conn;
                let device_id = match reuse {
                    Some(id) => {
                        sql::exec(
                            c,
                            "UPDATE devices SET name = $1, os = $2, app_version = $3, ip = $4, last_active_at = $5,
                                    remember_hash = COALESCE($6, remember_hash)
                             WHERE id = $7",
                            &[&device.name, &device.os, &device.app_version, &ip, &now, &remember_hash, &id.to_string()],
                        )?;
                        sql::exec(
                            c,
                            "UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL",
                            &[&now, &id.to_string()],
                        )?;
                        id
                    }
                    None => {
                        let id = Uuid::now_v7();
                        sql::exec(
                            c,
                            "INSERT INTO devices (id, user_id, name, kind, os, app_version, ip, remember_hash, created_at, last_active_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                            &[
                                &id.to_string(),
                                &user,
                                &device.name,
                                &device.kind.as_str(),
                                &device.os,
                                &device.app_version,
                                &ip,
                                &remember_hash,
                                &now,
                            ],
                        )?;
                        id
                    }
                };
                sql::exec(
                    c,
                    "INSERT INTO sessions (id, user_id, device_id, access_hash, access_expires_at, refresh_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &session_id.to_string(),
                        &user,
                        &device_id.to_string(),
                        &access_hash,
                        &(now + ttl),
                        &refresh_hash,
                        &now,
                    ],
                )?;
                Ok(device_id)
            })
            .await?;
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
        let hash = access_hash.to_owned();
        let row = self
            .reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT s.id, s.user_id, s.device_id, s.access_expires_at, s.revoked_at, d.last_active_at
                     FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.access_hash = $1",
                    &[&hash],
                    |r| {
                        Ok((
                            r.get::<_, Option<i64>>("revoked_at")?,
                            r.get::<_, i64>("access_expires_at")?,
                            Authed {
                                session_id: parse_uuid(&r.get::<_, String>("id")?)?,
                                user_id: parse_uuid(&r.get::<_, String>("user_id")?)?,
                                device_id: parse_uuid(&r.get::<_, String>("device_id")?)?,
                            },
                            r.get::<_, i64>("last_active_at")?,
                        ))
                    },
                )
            })
            .await?;
        let Some((revoked_at, expires_at, authed, last_active_at)) = row else {
            return Ok(SessionCheck::Unknown);
        };
        if revoked_at.is_some() {
            return Ok(SessionCheck::Revoked);
        }
        if expires_at <= now {
            return Ok(SessionCheck::Expired);
        }
        // "Last active" needs minute precision: write it at most once a minute, so ordinary
        // requests never wait for a write.
        if last_active_at < now - 60_000 {
            self.change_one(
                "UPDATE devices SET last_active_at = $1 WHERE id = $2",
                vec![Box::new(now), Box::new(authed.device_id.to_string())],
            )
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
        let refresh_hash = refresh_hash.to_owned();
        let outcome = self
            .write(move |cx| rotate(&cx.conn, &refresh_hash, now, access_ttl_ms, max_age_ms))
            .await?;
        if !matches!(outcome, RefreshOutcome::Unknown | RefreshOutcome::Revoked) {
            self.access.forget_all();
        }
        Ok(outcome)
    }

    /// A session that is still signed in (its access token may have lapsed: the device
    /// refreshes it when it next speaks to the server).
    pub async fn signed_in(&self, session_id: Uuid) -> ApiResult<Option<Authed>> {
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT user_id, device_id FROM sessions WHERE id = $1 AND revoked_at IS NULL",
                    &[&session_id.to_string()],
                    |r| {
                        Ok(Authed {
                            session_id,
                            user_id: parse_uuid(&r.get::<_, String>("user_id")?)?,
                            device_id: parse_uuid(&r.get::<_, String>("device_id")?)?,
                        })
                    },
                )
            })
            .await
    }

    pub async fn revoke_session(&self, session_id: Uuid) -> ApiResult<()> {
        self.change_one(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            vec![Box::new(now_ms()), Box::new(session_id.to_string())],
        )
        .await?;
        self.access.forget_all();
        Ok(())
    }

    /// Signs a device out everywhere: its sessions end and it is no longer remembered.
    /// Returns false when the device is not the user's (or already removed).
    pub async fn remove_device(&self, user_id: Uuid, device_id: Uuid) -> ApiResult<bool> {
        let now = now_ms();
        let removed = self
            .write(move |cx| {
                let device = device_id.to_string();
                let updated = sql::exec(
                    &cx.conn,
                    "UPDATE devices SET removed_at = $1, remember_hash = NULL
                     WHERE id = $2 AND user_id = $3 AND removed_at IS NULL",
                    &[&now, &device, &user_id.to_string()],
                )?;
                if updated == 0 {
                    return Ok(false);
                }
                sql::exec(
                    &cx.conn,
                    "UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL",
                    &[&now, &device],
                )?;
                Ok(true)
            })
            .await?;
        if removed {
            self.access.forget_all();
        }
        Ok(removed)
    }

    pub async fn devices(&self, user_id: Uuid, current: Uuid) -> ApiResult<Vec<Device>> {
        self.reads
            .run(move |c| {
                sql::all(
                    c,
                    "SELECT d.id, d.name, d.kind, d.os, d.app_version, d.ip, d.last_active_at, d.created_at,
                            EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = d.id AND s.revoked_at IS NULL) AS signed_in
                     FROM devices d
                     WHERE d.user_id = $1 AND d.removed_at IS NULL
                     ORDER BY d.last_active_at DESC",
                    &[&user_id.to_string()],
                    |row| {
                        let id = parse_uuid(&row.get::<_, String>("id")?)?;
                        Ok(Device {
                            id,
                            name: row.get("name")?,
                            kind: DeviceKind::parse(&row.get::<_, String>("kind")?)
                                .unwrap_or(DeviceKind::Desktop),
                            os: row.get("os")?,
                            app_version: row.get("app_version")?,
                            ip: row.get("ip")?,
                            last_active_at: row.get("last_active_at")?,
                            created_at: row.get("created_at")?,
                            current: id == current,
                            signed_in: row.get("signed_in")?,
                        })
                    },
                )
            })
            .await
    }

    /// The remembered device a remember token belongs to: (user, device).
    pub async fn remembered_device(&self, remember_hash: &str) -> ApiResult<Option<(Uuid, Uuid)>> {
        let hash = remember_hash.to_owned();
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT user_id, id FROM devices WHERE remember_hash = $1 AND removed_at IS NULL",
                    &[&hash],
                    |r| {
                        Ok((
                            parse_uuid(&r.get::<_, String>("user_id")?)?,
                            parse_uuid(&r.get::<_, String>("id")?)?,
                        ))
                    },
                )
            })
            .await
    }
}

/// `refresh` inside its write: the old token retired, a reused one ending the session.
fn rotate(
    c: &sql::Conn,
    refresh_hash: &str,
    now: i64,
    access_ttl_ms: i64,
    max_age_ms: i64,
) -> ApiResult<RefreshOutcome> {
    let row = sql::one(
        c,
        "SELECT id, user_id, device_id, revoked_at, created_at FROM sessions WHERE refresh_hash = $1",
        &[&refresh_hash],
        |r| {
            Ok((
                r.get::<_, String>("id")?,
                parse_uuid(&r.get::<_, String>("user_id")?)?,
                parse_uuid(&r.get::<_, String>("device_id")?)?,
                r.get::<_, Option<i64>>("revoked_at")?,
                r.get::<_, i64>("created_at")?,
            ))
        },
    )?;
    let Some((session_id, user_id, device_id, revoked_at, created_at)) = row else {
        let retired: Option<String> = sql::one(
            c,
            "SELECT session_id FROM retired_refresh_tokens WHERE hash = $1",
            &[&refresh_hash],
            |r| r.get(0),
        )?;
        return Ok(match retired {
            Some(session_id) => {
                sql::exec(
                    c,
                    "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                    &[&now, &session_id],
                )?;
                RefreshOutcome::Reused
            }
            None => RefreshOutcome::Unknown,
        });
    };
    if revoked_at.is_some() {
        return Ok(RefreshOutcome::Revoked);
    }
    if now - created_at >= max_age_ms {
        sql::exec(
            c,
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2",
            &[&now, &session_id],
        )?;
        return Ok(RefreshOutcome::Lapsed { device_id });
    }
    let access_token = new_token();
    let refresh_token = new_token();
    // The WHERE on the old hash makes two racing refreshes of one token yield one winner.
    let updated = sql::exec(
        c,
        "UPDATE sessions SET access_hash = $1, access_expires_at = $2, refresh_hash = $3
         WHERE id = $4 AND refresh_hash = $5 AND revoked_at IS NULL",
        &[
            &hash_token(&access_token),
            &(now + access_ttl_ms),
            &hash_token(&refresh_token),
            &session_id,
            &refresh_hash,
        ],
    )?;
    if updated != 1 {
        return Ok(RefreshOutcome::Unknown);
    }
    sql::exec(
        c,
        "INSERT INTO retired_refresh_tokens (hash, session_id) VALUES ($1, $2)",
        &[&refresh_hash, &session_id],
    )?;
    Ok(RefreshOutcome::Rotated {
        user_id,
        session: IssuedSession {
            device_id,
            session_id: parse_uuid(&session_id)?,
            access_token,
            refresh_token,
            remember_token: None,
        },
    })
}
