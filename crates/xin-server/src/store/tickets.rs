use uuid::Uuid;
use xin_proto::{DeviceInfo, DeviceKind, TicketPhase};

use super::{parse_uuid, sql, Store};
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

fn ticket_row(row: &sql::Row) -> ApiResult<TicketRow> {
    let opt_uuid = |col: &str| -> ApiResult<Option<Uuid>> {
        row.get::<_, Option<String>>(col)?
            .as_deref()
            .map(parse_uuid)
            .transpose()
    };
    let phase: String = row.get("phase")?;
    let kind: String = row.get("device_kind")?;
    Ok(TicketRow {
        id: row.get("id")?,
        poll_hash: row.get("poll_hash")?,
        phase: TicketPhase::parse(&phase)
            .ok_or_else(|| ApiError::Internal(format!("bad ticket phase {phase}")))?,
        device: DeviceInfo {
            name: row.get("device_name")?,
            kind: DeviceKind::parse(&kind).unwrap_or(DeviceKind::Desktop),
            os: row.get("device_os")?,
            app_version: row.get("device_app_version")?,
        },
        ip: row.get("ip")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
        user_id: opt_uuid("user_id")?,
        remembered_device_id: opt_uuid("remembered_device_id")?,
        code: row.get("code")?,
        choices: row
            .get::<_, Option<String>>("choices")?
            .map(|c| c.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        delivered: row.get("delivered")?,
    })
}

impl Store {
    pub async fn insert_ticket(&self, t: NewTicket<'_>) -> ApiResult<()> {
        self.change_one(
            "INSERT INTO login_tickets (id, poll_hash, phase, device_name, device_kind, device_os, device_app_version,
                                        ip, created_at, expires_at, user_id, remembered_device_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![
                Box::new(t.id.to_owned()),
                Box::new(t.poll_hash.to_owned()),
                Box::new(t.phase.as_str()),
                Box::new(t.device.name.clone()),
                Box::new(t.device.kind.as_str()),
                Box::new(t.device.os.clone()),
                Box::new(t.device.app_version.clone()),
                Box::new(t.ip.to_owned()),
                Box::new(t.created_at),
                Box::new(t.expires_at),
                Box::new(t.user_id.map(|u| u.to_string())),
                Box::new(t.remembered_device_id.map(|u| u.to_string())),
            ],
        )
        .await
        .map(|_| ())
    }

    pub async fn ticket(&self, id: &str) -> ApiResult<Option<TicketRow>> {
        let id = id.to_owned();
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    &format!("SELECT {TICKET_COLUMNS} FROM login_tickets WHERE id = $1"),
                    &[&id],
                    ticket_row,
                )
            })
            .await
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
        self.change_one(
            "UPDATE login_tickets SET phase = 'scanned', user_id = $1, code = $2, choices = $3, expires_at = $4
             WHERE id = $5 AND phase = 'pending' AND expires_at > $6",
            vec![
                Box::new(user_id.to_string()),
                Box::new(code.to_owned()),
                Box::new(choices.join(",")),
                Box::new(expires_at),
                Box::new(id.to_owned()),
                Box::new(now),
            ],
        )
        .await
    }

    /// scanned → confirmed | declined, only while scanned and unexpired.
    pub async fn finish_ticket(&self, id: &str, to: TicketPhase, now: i64) -> ApiResult<bool> {
        self.change_one(
            "UPDATE login_tickets SET phase = $1 WHERE id = $2 AND phase = 'scanned' AND expires_at > $3",
            vec![Box::new(to.as_str()), Box::new(id.to_owned()), Box::new(now)],
        )
        .await
    }

    /// Claims the right to hand out the confirmed ticket's session. True exactly once.
    pub async fn claim_delivery(&self, id: &str) -> ApiResult<bool> {
        self.change_one(
            "UPDATE login_tickets SET delivered = 1 WHERE id = $1 AND phase = 'confirmed' AND delivered = 0",
            vec![Box::new(id.to_owned())],
        )
        .await
    }

    /// Remembered devices of this account waiting for a tap.
    pub async fn waiting_tickets(&self, user_id: Uuid, now: i64) -> ApiResult<Vec<TicketRow>> {
        self.reads
            .run(move |c| {
                sql::all(
                    c,
                    &format!(
                        "SELECT {TICKET_COLUMNS} FROM login_tickets
                         WHERE user_id = $1 AND phase = 'scanned' AND remembered_device_id IS NOT NULL
                           AND expires_at > $2
                         ORDER BY created_at"
                    ),
                    &[&user_id.to_string(), &now],
                    ticket_row,
                )
            })
            .await
    }
}
