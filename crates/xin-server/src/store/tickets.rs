use sqlx::Row;
use uuid::Uuid;
use xin_proto::{DeviceInfo, DeviceKind, TicketPhase};

use super::{parse_uuid, Store};
use crate::error::{ApiError, ApiResult};

pub struct NewTicket<'a> {
    pub id: &'a str,
    pub poll_hash: &'a str,
    pub phase: TicketPhase,
    pub device: &'a DeviceInfo,
    pub ip: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_id: Option<Uuid>,
    pub remembered_device_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: String,
    pub poll_hash: String,
    /// As stored: a pending or scanned ticket past `expires_at` is expired all the same.
    pub phase: TicketPhase,
    pub device: DeviceInfo,
    pub ip: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_id: Option<Uuid>,
    pub remembered_device_id: Option<Uuid>,
    pub code: Option<String>,
    pub choices: Vec<String>,
    pub delivered: bool,
}

impl TicketRow {
    /// The phase at `now`, taking expiry into account.
    pub fn phase_at(&self, now: i64) -> TicketPhase {
        match self.phase {
            TicketPhase::Pending | TicketPhase::Scanned if now >= self.expires_at => {
                TicketPhase::Expired
            }
            p => p,
        }
    }
}

const TICKET_COLUMNS: &str =
    "id, poll_hash, phase, device_name, device_kind, device_os, device_app_version, ip,
     created_at, expires_at, user_id, remembered_device_id, code, choices, delivered";

fn ticket_row(row: &sqlx::sqlite::SqliteRow) -> ApiResult<TicketRow> {
    let opt_uuid = |col: &str| -> ApiResult<Option<Uuid>> {
        row.try_get::<Option<String>, _>(col)?
            .as_deref()
            .map(parse_uuid)
            .transpose()
    };
    let phase: String = row.try_get("phase")?;
    let kind: String = row.try_get("device_kind")?;
    Ok(TicketRow {
        id: row.try_get("id")?,
        poll_hash: row.try_get("poll_hash")?,
        phase: TicketPhase::parse(&phase)
            .ok_or_else(|| ApiError::Internal(format!("bad ticket phase {phase}")))?,
        device: DeviceInfo {
            name: row.try_get("device_name")?,
            kind: DeviceKind::parse(&kind).unwrap_or(DeviceKind::Desktop),
            os: row.try_get("device_os")?,
            app_version: row.try_get("device_app_version")?,
        },
        ip: row.try_get("ip")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        user_id: opt_uuid("user_id")?,
        remembered_device_id: opt_uuid("remembered_device_id")?,
        code: row.try_get("code")?,
        choices: row
            .try_get::<Option<String>, _>("choices")?
            .map(|c| c.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        delivered: row.try_get::<i64, _>("delivered")? != 0,
    })
}

impl Store {
    pub async fn insert_ticket(&self, t: NewTicket<'_>) -> ApiResult<()> {
        sqlx::query(
            "INSERT INTO login_tickets (id, poll_hash, phase, device_name, device_kind, device_os, device_app_version,
                                        ip, created_at, expires_at, user_id, remembered_device_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(t.id)
        .bind(t.poll_hash)
        .bind(t.phase.as_str())
        .bind(&t.device.name)
        .bind(t.device.kind.as_str())
        .bind(&t.device.os)
        .bind(&t.device.app_version)
        .bind(t.ip)
        .bind(t.created_at)
        .bind(t.expires_at)
        .bind(t.user_id.map(|u| u.to_string()))
        .bind(t.remembered_device_id.map(|u| u.to_string()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn ticket(&self, id: &str) -> ApiResult<Option<TicketRow>> {
        let row = sqlx::query(&format!(
            "SELECT {TICKET_COLUMNS} FROM login_tickets WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(ticket_row).transpose()
    }

    /// pending → scanned, only while pending and unexpired. False when someone else won.
    pub async fn scan_ticket(
        &self,
        id: &str,
        user_id: Uuid,
        code: &str,
        choices: &[String],
        now: i64,
        expires_at: i64,
    ) -> ApiResult<bool> {
        let updated = sqlx::query(
            "UPDATE login_tickets SET phase = 'scanned', user_id = $1, code = $2, choices = $3, expires_at = $4
             WHERE id = $5 AND phase = 'pending' AND expires_at > $6",
        )
        .bind(user_id.to_string())
        .bind(code)
        .bind(choices.join(","))
        .bind(expires_at)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// scanned → confirmed | declined, only while scanned and unexpired.
    pub async fn finish_ticket(&self, id: &str, to: TicketPhase, now: i64) -> ApiResult<bool> {
        let updated = sqlx::query(
            "UPDATE login_tickets SET phase = $1 WHERE id = $2 AND phase = 'scanned' AND expires_at > $3",
        )
        .bind(to.as_str())
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Claims the right to hand out the confirmed ticket's session. True exactly once.
    pub async fn claim_delivery(&self, id: &str) -> ApiResult<bool> {
        let updated = sqlx::query(
            "UPDATE login_tickets SET delivered = 1 WHERE id = $1 AND phase = 'confirmed' AND delivered = 0",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Remembered devices of this account waiting for a tap.
    pub async fn waiting_tickets(&self, user_id: Uuid, now: i64) -> ApiResult<Vec<TicketRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {TICKET_COLUMNS} FROM login_tickets
             WHERE user_id = $1 AND phase = 'scanned' AND remembered_device_id IS NOT NULL AND expires_at > $2
             ORDER BY created_at"
        ))
        .bind(user_id.to_string())
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ticket_row).collect()
    }
}
