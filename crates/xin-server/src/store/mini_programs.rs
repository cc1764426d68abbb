//! Mini-programs in the store: published versions (the zip, its hash and signature), each
//! user's recent and pinned ones, and the one-time login codes their backends exchange.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use rand::RngCore;
use uuid::Uuid;
use xin_proto::{
    ErrorCode, LoginCode, MiniProgram, MiniProgramManifest, MiniProgramRelease, LOGIN_CODE_SECS,
};

use super::{
    official::owned,
    sql::{self, Conn},
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    secrets::{hash_token, new_token},
    time::now_ms,
};

/// A package that passed every check (`mini_program::check_package`), as the store keeps it.
pub struct CheckedPackage {
    pub manifest: MiniProgramManifest,
    pub icon: Vec<u8>,
    pub hash: String,
}

/// Versions of a mini-program kept; publishing another removes the oldest.
pub const KEPT_VERSIONS: i64 = 10;

pub(super) fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::MiniProgramNotFound,
        "There is no such mini-program.",
    )
}

const SELECT: &str = "SELECT m.id, m.app_id, m.name, m.description, m.icon, m.account_id, a.name,
        m.manifest, v.version, v.size, v.hash, v.signature, v.published_at,
        COALESCE(u.pinned, 0), u.last_used
     FROM mini_programs m
     JOIN official_accounts a ON a.id = m.account_id
     JOIN mini_program_versions v ON v.mini_program_id = m.id AND v.version = m.version
     LEFT JOIN mini_program_users u ON u.mini_program_id = m.id AND u.user_id = $1";

/// A row, and what `finish` still parses: its ids and its manifest.
type Row = (MiniProgram, [String; 3]);

fn row(r: &sql::Row) -> ApiResult<Row> {
    let icon: Vec<u8> = r.get(4)?;
    Ok((
        MiniProgram {
            id: Uuid::nil(),
            app_id: r.get(1)?,
            name: r.get(2)?,
            description: r.get(3)?,
            icon: format!("data:image/png;base64,{}", STANDARD.encode(icon)),
            account_id: Uuid::nil(),
            publisher: r.get(6)?,
            permissions: Vec::new(),
            domains: Vec::new(),
            release: MiniProgramRelease {
                version: r.get(8)?,
                size: r.get(9)?,
                hash: r.get(10)?,
                signature: r.get(11)?,
                published_at: r.get(12)?,
            },
            pinned: r.get::<_, i64>(13)? != 0,
            last_used: r.get(14)?,
        },
        [r.get(0)?, r.get(5)?, r.get(7)?],
    ))
}

fn finish((mut m, [id, account, manifest]): Row) -> ApiResult<MiniProgram> {
    m.id = super::parse_uuid(&id)?;
    m.account_id = super::parse_uuid(&account)?;
    let manifest: MiniProgramManifest = serde_json::from_str(&manifest)
        .map_err(|e| ApiError::Internal(format!("stored manifest: {e}")))?;
    m.permissions = manifest.permissions;
    m.domains = manifest.domains;
    Ok(m)
}

fn query(
    c: &Conn,
    viewer: Uuid,
    filter: &str,
    params: &[&dyn sql::Param],
) -> ApiResult<Vec<MiniProgram>> {
    let mut all: Vec<&dyn sql::Param> = Vec::with_capacity(params.len() + 1);
    let viewer = viewer.to_string();
    all.push(&viewer);
    all.extend_from_slice(params);
    sql::all(c, &format!("{SELECT} {filter}"), &all, row)?
        .into_iter()
        .map(finish)
        .collect()
}

pub(super) fn one(c: &Conn, viewer: Uuid, id: Uuid) -> ApiResult<MiniProgram> {
    query(c, viewer, "WHERE m.id = $2", &[&id.to_string()])?
        .pop()
        .ok_or_else(not_found)
}

/// A mini-program as a chat message's card.
pub(crate) fn card(c: &Conn, id: Uuid) -> ApiResult<xin_proto::Content> {
    sql::one(
        c,
        "SELECT m.name, a.name FROM mini_programs m JOIN official_accounts a ON a.id = m.account_id
         WHERE m.id = $1",
        &[&id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .map(|(name, publisher)| xin_proto::Content::MiniProgram {
        mini_program_id: id,
        name,
        publisher,
    })
    .ok_or_else(not_found)
}

/// The mini-program with this manifest id, if it is the account's.
pub(super) fn of_account(c: &Conn, account: Uuid, app_id: &str) -> ApiResult<Uuid> {
    let id: Option<String> = sql::one(
        c,
        "SELECT id FROM mini_programs WHERE app_id = $1 AND account_id = $2",
        &[&app_id, &account.to_string()],
        |r| r.get(0),
    )?;
    super::parse_uuid(&id.ok_or_else(not_found)?)
}

/// A published package: what the desktop downloads and checks.
pub struct Package {
    pub bytes: Vec<u8>,
    pub release: MiniProgramRelease,
}

impl Store {
    /// The package-signing secret, made the first time it is needed.
    pub async fn signing_secret(&self) -> ApiResult<Vec<u8>> {
        self.write(|cx| {
            let known: Option<Vec<u8>> = sql::one(
                &cx.conn,
                "SELECT secret FROM mini_program_signing WHERE id = 1",
                &[],
                |r| r.get(0),
            )?;
            if let Some(secret) = known {
                return Ok(secret);
            }
            let mut secret = vec![0u8; 32];
            rand::thread_rng().fill_bytes(&mut secret);
            // Two nodes may make one at once: the first kept is everyone's.
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_signing (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                &[&secret],
            )?;
            sql::one(
                &cx.conn,
                "SELECT secret FROM mini_program_signing WHERE id = 1",
                &[],
                |r| r.get(0),
            )?
            .ok_or_else(|| ApiError::Internal("no signing secret".into()))
        })
        .await
    }

    /// Publishes a checked package as a new version of the account's mini-program (created
    /// with its first version). `sign` signs (id, version, hash).
    pub async fn publish_mini_program(
        &self,
        owner: Uuid,
        account: Uuid,
        package: CheckedPackage,
        bytes: Vec<u8>,
        quota: u64,
        sign: Box<dyn Fn(Uuid) -> String + Send>,
    ) -> ApiResult<MiniProgram> {
        self.write(move |cx| {
            owned(&cx.conn, owner, account)?;
            // Every quota check takes the user's row lock first (see `create_upload`).
            sql::lock_row(&cx.conn, "users", owner)?;
            let used: i64 = sql::one(&cx.conn, super::blobs::STORAGE_USED, &[&owner.to_string()], |r| r.get(0))?
                .unwrap_or(0);
            let used = u64::try_from(used).unwrap_or(0);
            if used.saturating_add(bytes.len() as u64) > quota {
                return Err(super::blobs::quota_exceeded(used, quota));
            }
            let m = &package.manifest;
            let existing: Option<(String, String)> = sql::one(
                &cx.conn,
                "SELECT id, account_id FROM mini_programs WHERE app_id = $1",
                &[&m.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let now = now_ms();
            let manifest =
                serde_json::to_string(m).map_err(|e| ApiError::Internal(e.to_string()))?;
            let id = match existing {
                Some((_, other)) if other != account.to_string() => {
                    return Err(ApiError::new(
                        ErrorCode::NotAllowed,
                        format!("The id \"{}\" belongs to another account's mini-program.", m.id),
                    ))
                }
                Some((id, _)) => {
                    let id = super::parse_uuid(&id)?;
                    let taken = sql::one(
                        &cx.conn,
                        "SELECT 1 FROM mini_program_versions WHERE mini_program_id = $1 AND version = $2",
                        &[&id.to_string(), &m.version],
                        |_| Ok(()),
                    )?;
                    if taken.is_some() {
                        return Err(ApiError::new(
                            ErrorCode::VersionExists,
                            format!("Version {} was already published: raise the version in app.json.", m.version),
                        ));
                    }
                    id
                }
                None => {
                    let id = Uuid::now_v7();
                    sql::exec(
                        &cx.conn,
                        "INSERT INTO mini_programs
                           (id, app_id, account_id, name, description, icon, manifest, version, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        &[&id.to_string(), &m.id, &account.to_string(), &m.name, &m.description,
                          &package.icon, &manifest, &m.version, &now],
                    )?;
                    id
                }
            };
            let signature = sign(id);
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_versions
                   (mini_program_id, version, package, size, hash, signature, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id.to_string(), &m.version, &bytes, &(bytes.len() as i64), &package.hash,
                  &signature, &now],
            )?;
            // Only the newest versions are kept: the current one and a few to go back to.
            sql::exec(
                &cx.conn,
                "DELETE FROM mini_program_versions WHERE mini_program_id = $1 AND version NOT IN
                   (SELECT version FROM mini_program_versions WHERE mini_program_id = $1
                    ORDER BY published_at DESC, version DESC LIMIT $2)",
                &[&id.to_string(), &KEPT_VERSIONS],
            )?;
            sql::exec(
                &cx.conn,
                "UPDATE mini_programs SET name = $2, description = $3, icon = $4, manifest = $5,
                   version = $6 WHERE id = $1",
                &[&id.to_string(), &m.name, &m.description, &package.icon, &manifest, &m.version],
            )?;
            one(&cx.conn, owner, id)
        })
        .await
    }

    /// The account's mini-programs, for its owner.
    pub async fn account_mini_programs(
        &self,
        owner: Uuid,
        account: Uuid,
    ) -> ApiResult<Vec<MiniProgram>> {
        self.write(move |cx| {
            owned(&cx.conn, owner, account)?;
            query(
                &cx.conn,
                owner,
                "WHERE m.account_id = $2 ORDER BY m.created_at",
                &[&account.to_string()],
            )
        })
        .await
    }

    /// With `search`, every mini-program whose name or id contains it; without, mine: pinned
    /// first, then the most recently used.
    pub async fn mini_programs(
        &self,
        viewer: Uuid,
        search: Option<String>,
    ) -> ApiResult<Vec<MiniProgram>> {
        self.reads
            .run(move |c| match search {
                Some(q) => {
                    let like = sql::contains_pattern(&q);
                    query(
                        c,
                        viewer,
                        "WHERE lower(m.name) LIKE $2 ESCAPE '\\' OR m.app_id LIKE $2 ESCAPE '\\' ORDER BY m.name LIMIT 50",
                        &[&like],
                    )
                }
                None => query(
                    c,
                    viewer,
                    "WHERE u.pinned = 1 OR u.last_used IS NOT NULL
                     ORDER BY u.pinned DESC, u.last_used DESC NULLS LAST LIMIT 50",
                    &[],
                ),
            })
            .await
    }

    pub async fn mini_program(&self, viewer: Uuid, id: Uuid) -> ApiResult<MiniProgram> {
        self.reads.run(move |c| one(c, viewer, id)).await
    }

    /// Notes that `viewer` opened it (for "recently used"), and answers it.
    pub async fn open_mini_program(&self, viewer: Uuid, id: Uuid) -> ApiResult<MiniProgram> {
        self.write(move |cx| {
            one(&cx.conn, viewer, id)?;
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_users (mini_program_id, user_id, last_used) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, mini_program_id) DO UPDATE SET last_used = excluded.last_used",
                &[&id.to_string(), &viewer.to_string(), &now_ms()],
            )?;
            one(&cx.conn, viewer, id)
        })
        .await
    }

    pub async fn pin_mini_program(
        &self,
        viewer: Uuid,
        id: Uuid,
        pinned: bool,
    ) -> ApiResult<MiniProgram> {
        self.write(move |cx| {
            one(&cx.conn, viewer, id)?;
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_users (mini_program_id, user_id, pinned) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, mini_program_id) DO UPDATE SET pinned = excluded.pinned",
                &[&id.to_string(), &viewer.to_string(), &i64::from(pinned)],
            )?;
            one(&cx.conn, viewer, id)
        })
        .await
    }

    /// A version's zip (the current one when `version` is `None`).
    pub async fn mini_program_package(
        &self,
        id: Uuid,
        version: Option<String>,
    ) -> ApiResult<Package> {
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT v.package, v.version, v.size, v.hash, v.signature, v.published_at
                     FROM mini_program_versions v JOIN mini_programs m ON m.id = v.mini_program_id
                     WHERE v.mini_program_id = $1 AND v.version = COALESCE($2, m.version)",
                    &[&id.to_string(), &version],
                    |r| {
                        Ok(Package {
                            bytes: r.get(0)?,
                            release: MiniProgramRelease {
                                version: r.get(1)?,
                                size: r.get(2)?,
                                hash: r.get(3)?,
                                signature: r.get(4)?,
                                published_at: r.get(5)?,
                            },
                        })
                    },
                )?
                .ok_or_else(not_found)
            })
            .await
    }

    /// The hash of a version's package, without its bytes.
    pub async fn mini_program_package_hash(&self, id: Uuid, version: String) -> ApiResult<String> {
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT hash FROM mini_program_versions WHERE mini_program_id = $1 AND version = $2",
                    &[&id.to_string(), &version],
                    |r| r.get(0),
                )?
                .ok_or_else(not_found)
            })
            .await
    }

    /// A one-time login code for `viewer` in the mini-program, live for 5 minutes.
    pub async fn mini_program_login_code(&self, viewer: Uuid, id: Uuid) -> ApiResult<LoginCode> {
        self.write(move |cx| {
            one(&cx.conn, viewer, id)?;
            let (code, now) = (new_token(), now_ms());
            let expires_at = now + LOGIN_CODE_SECS * 1000;
            sql::exec(
                &cx.conn,
                "DELETE FROM mini_program_codes WHERE expires_at < $1",
                &[&(now - 86_400_000)],
            )?;
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_codes (code_hash, mini_program_id, user_id, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &hash_token(&code),
                    &id.to_string(),
                    &viewer.to_string(),
                    &expires_at,
                ],
            )?;
            Ok(LoginCode { code, expires_at })
        })
        .await
    }

    /// The backend's exchange: the code is used up, the user's openid (made by `openid`) is
    /// recorded and answered.
    pub async fn exchange_login_code(
        &self,
        account: Uuid,
        app_id: String,
        code: String,
        openid: Box<dyn Fn(Uuid, Uuid) -> String + Send>,
    ) -> ApiResult<String> {
        self.write(move |cx| {
            let id = of_account(&cx.conn, account, &app_id)?;
            let user: Option<String> = sql::one(
                &cx.conn,
                "UPDATE mini_program_codes SET used_at = $3
                 WHERE code_hash = $1 AND mini_program_id = $2 AND used_at IS NULL AND expires_at > $3
                 RETURNING user_id",
                &[&hash_token(&code), &id.to_string(), &now_ms()],
                |r| r.get(0),
            )?;
            let user = super::parse_uuid(&user.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::LoginCodeInvalid,
                    "This login code is unknown, already used or older than 5 minutes.",
                )
            })?)?;
            let openid = openid(id, user);
            sql::exec(
                &cx.conn,
                "INSERT INTO mini_program_openids (mini_program_id, openid, user_id) VALUES ($1, $2, $3)
                 ON CONFLICT (mini_program_id, openid) DO NOTHING",
                &[&id.to_string(), &openid, &user.to_string()],
            )?;
            Ok(openid)
        })
        .await
    }
}
