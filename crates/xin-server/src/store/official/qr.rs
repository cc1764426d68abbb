//! QR codes to follow an official account by: each may carry a scene value (a poster, a shop
//! window), reported with every follow through it, and may expire.

use uuid::Uuid;
use xin_proto::{ErrorCode, ScannedOfficialQr, SceneCount, SceneCounts};

use crate::store::{
    official::{account, owned},
    sql::{self, Conn},
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    secrets::new_ticket_id,
    time::now_ms,
};

fn expired() -> ApiError {
    ApiError::new(
        ErrorCode::QrCodeExpired,
        "This QR code has expired. Ask for a new one.",
    )
}

/// The account and scene of a live code.
pub(in crate::store) fn resolve(c: &Conn, code: &str) -> ApiResult<(Uuid, Option<String>)> {
    let row: Option<(String, Option<String>)> = sql::one(
        c,
        "SELECT account_id, scene FROM official_qr WHERE code = $1 AND (expires_at IS NULL OR expires_at > $2)",
        &[&code, &now_ms()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (account, scene) = row.ok_or_else(expired)?;
    Ok((crate::store::parse_uuid(&account)?, scene))
}

impl Store {
    /// A new code for an account I own; answers the code.
    pub async fn create_official_qr(
        &self,
        owner: Uuid,
        id: Uuid,
        scene: Option<String>,
        expires_at: Option<i64>,
    ) -> ApiResult<String> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            let code = new_ticket_id();
            sql::exec(
                &cx.conn,
                "INSERT INTO official_qr (code, account_id, scene, expires_at) VALUES ($1, $2, $3, $4)",
                &[&code, &id.to_string(), &scene, &expires_at],
            )?;
            Ok(code)
        })
        .await
    }

    /// What a scanned code leads to.
    pub async fn scan_official_qr(
        &self,
        viewer: Uuid,
        code: String,
    ) -> ApiResult<ScannedOfficialQr> {
        self.reads
            .run(move |c| {
                let (id, scene) = resolve(c, &code)?;
                Ok(ScannedOfficialQr {
                    account: account(c, viewer, id)?,
                    scene,
                })
            })
            .await
    }

    /// Followers by the scene they followed through.
    pub async fn official_scenes(&self, owner: Uuid, id: Uuid) -> ApiResult<SceneCounts> {
        self.reads
            .run(move |c| {
                owned(c, owner, id)?;
                let scenes = sql::all(
                    c,
                    "SELECT scene, COUNT(*) FROM official_follows WHERE account_id = $1
                     GROUP BY scene ORDER BY COUNT(*) DESC, scene NULLS FIRST",
                    &[&id.to_string()],
                    |r| {
                        Ok(SceneCount {
                            scene: r.get(0)?,
                            followers: r.get(1)?,
                        })
                    },
                )?;
                Ok(SceneCounts { scenes })
            })
            .await
    }
}
