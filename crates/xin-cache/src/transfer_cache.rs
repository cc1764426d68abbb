//! Transfers in the account cache: what the bubbles and the Transfers view show, and what the
//! upload and download workers resume from.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;
use xin_proto::{Message, SendMessage};

use crate::{
    cache::AccountDb,
    error::{CoreError, CoreResult},
    time::now_ms,
};

/// Which way a file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From this computer to the server.
    Up,
    /// From the server to this computer.
    Down,
}

/// Where a transfer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Hashing, and for photos: orienting, stripping location and making the thumbnail.
    Preparing,
    /// Waiting for the worker.
    Queued,
    /// Moving bytes now.
    Running,
    /// Paused by the user.
    Paused,
    /// Stopped with an error (see `error`); it can be resumed.
    Failed,
    /// Finished and verified.
    Done,
    /// Cancelled by the user.
    Cancelled,
}

impl TransferState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Failed => "failed",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "preparing" => Self::Preparing,
            "queued" => Self::Queued,
            "running" => Self::Running,
            "paused" => Self::Paused,
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }

    /// Still to be worked on by a worker.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Preparing | Self::Queued | Self::Running)
    }
}

/// One file going up or down, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Transfer {
    /// The transfer's own id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Up or down.
    pub direction: Direction,
    /// The chat the file is in.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// The file's name as the chat shows it.
    pub name: String,
    /// Up: the file picked. Down: where it is (or will be) saved.
    pub path: String,
    /// The file's size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Bytes verified by the other side.
    #[ts(type = "number")]
    pub done: u64,
    /// Where it is.
    pub state: TransferState,
    /// Why it failed, for the UI to say in the reader's language.
    pub error: Option<crate::error::UiError>,
    /// Bytes per second right now (0 when not running).
    #[ts(type = "number")]
    pub speed: u64,
    /// When it was queued (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// One blob of an upload: a photo has two (the picture and its thumbnail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// The local file this part is read from.
    pub path: String,
    /// Its BLAKE3 hash, the blob's name on the server.
    pub hash: String,
    /// Its size in bytes.
    pub size: u64,
    /// The tus upload, once created.
    pub location: Option<String>,
    /// The server has all of it.
    pub uploaded: bool,
}

/// What a worker needs to carry on with an upload.
#[derive(Debug, Clone)]
pub struct UploadJob {
    /// The transfer as the UI shows it.
    pub transfer: Transfer,
    /// Its blobs.
    pub parts: Vec<Part>,
    /// The message to send once every part is up (none for a bare upload).
    pub request: Option<SendMessage>,
}

impl AsRef<Transfer> for UploadJob {
    fn as_ref(&self) -> &Transfer {
        &self.transfer
    }
}

impl AsRef<Transfer> for DownloadJob {
    fn as_ref(&self) -> &Transfer {
        &self.transfer
    }
}

/// What a worker needs to carry on with a download.
#[derive(Debug, Clone)]
pub struct DownloadJob {
    /// The transfer as the UI shows it.
    pub transfer: Transfer,
    /// The blob to fetch.
    pub hash: String,
}

fn json<T: Serialize>(v: &T) -> CoreResult<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Cache(e.to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str) -> CoreResult<T> {
    serde_json::from_str(s).map_err(|e| CoreError::Cache(e.to_string()))
}

const COLUMNS: &str =
    "id, direction, conversation_id, name, path, size, done, state, error, created_at, parts, request, hash";

fn transfer_row(r: &Row) -> rusqlite::Result<(Transfer, String, String, String)> {
    let id: String = r.get(0)?;
    let direction: String = r.get(1)?;
    let conv: String = r.get(2)?;
    let state: String = r.get(7)?;
    Ok((
        Transfer {
            id: Uuid::parse_str(&id).unwrap_or_default(),
            direction: if direction == "down" {
                Direction::Down
            } else {
                Direction::Up
            },
            conversation_id: Uuid::parse_str(&conv).unwrap_or_default(),
            name: r.get(3)?,
            path: r.get(4)?,
            size: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
            done: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
            state: TransferState::parse(&state),
            error: r.get::<_, Option<String>>(8)?.map(|e| {
                serde_json::from_str(&e).unwrap_or_else(|_| crate::error::UiError::said(e))
            }),
            speed: 0,
            created_at: r.get(9)?,
        },
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl AccountDb {
    /// A new upload, shown at once as a pending message whose content is filled in once the
    /// file is prepared.
    pub fn add_upload(&mut self, t: &Transfer, shown: &Message) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        tx.execute(
            "INSERT INTO transfers (id, direction, conversation_id, name, path, size, state, created_at)
             VALUES (?1, 'up', ?2, ?3, ?4, ?5, 'preparing', ?6)",
            params![t.id.to_string(), t.conversation_id.to_string(), t.name, t.path, to_i64(t.size), t.created_at],
        )?;
        tx.execute(
            "INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, body, state, created_at)
             VALUES (?1, ?2, NULL, ?1, ?3, ?4, 'pending', ?5)",
            params![t.id.to_string(), t.conversation_id.to_string(), shown.sender_id.to_string(), json(shown)?, t.created_at],
        )?;
        tx.execute(
            "UPDATE conversations SET last_activity = MAX(last_activity, ?1) WHERE id = ?2",
            params![t.created_at, t.conversation_id.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The upload is prepared: its blobs are known, and the pending message shows them.
    pub fn prepared(&mut self, id: Uuid, parts: &[Part], req: &SendMessage) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        tx.execute(
            "UPDATE transfers SET parts = ?2, request = ?3, size = ?4,
                 state = CASE state WHEN 'preparing' THEN 'running' ELSE state END WHERE id = ?1",
            params![
                id.to_string(),
                json(&parts)?,
                json(req)?,
                to_i64(parts.iter().map(|p| p.size).sum())
            ],
        )?;
        let body: Option<String> = tx
            .query_row(
                "SELECT body FROM messages WHERE client_id = ?1 AND seq IS NULL",
                params![id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(body) = body {
            let mut m: Message = parse_json(&body)?;
            m.content = req.content.clone();
            tx.execute(
                "UPDATE messages SET body = ?2 WHERE client_id = ?1 AND seq IS NULL",
                params![id.to_string(), json(&m)?],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Saves an upload's parts and the bytes done so far.
    pub fn save_parts(&self, id: Uuid, parts: &[Part], done: u64) -> CoreResult<()> {
        self.0.execute(
            "UPDATE transfers SET parts = ?2, done = ?3 WHERE id = ?1",
            params![id.to_string(), json(&parts)?, to_i64(done)],
        )?;
        Ok(())
    }

    /// Every blob is up: the message joins the outbox, in the same transaction — unless the
    /// user paused or cancelled it meanwhile (a paused one goes out when resumed).
    pub fn uploaded(&mut self, id: Uuid, conv: Uuid, req: &SendMessage) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        let still_wanted = tx.execute(
            "UPDATE transfers SET state = 'done', done = size, error = NULL
              WHERE id = ?1 AND state IN ('preparing', 'queued', 'running')",
            params![id.to_string()],
        )?;
        if still_wanted == 0 {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO outbox (client_id, conversation_id, request, state, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)
             ON CONFLICT (client_id) DO NOTHING",
            params![id.to_string(), conv.to_string(), json(req)?, now_ms()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Queues a download of blob `hash`.
    pub fn add_download(&self, t: &Transfer, hash: &str) -> CoreResult<()> {
        self.0.execute(
            "INSERT INTO transfers (id, direction, conversation_id, name, path, size, state, hash, created_at)
             VALUES (?1, 'down', ?2, ?3, ?4, ?5, 'queued', ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET state = 'queued', error = NULL, path = excluded.path, done = 0",
            params![t.id.to_string(), t.conversation_id.to_string(), t.name, t.path, to_i64(t.size), hash, t.created_at],
        )?;
        Ok(())
    }

    /// Moves a transfer to `state`, with the error when it failed.
    pub fn set_transfer_state(
        &self,
        id: Uuid,
        state: TransferState,
        error: Option<&CoreError>,
    ) -> CoreResult<()> {
        self.0.execute(
            "UPDATE transfers SET state = ?2, error = ?3 WHERE id = ?1",
            params![
                id.to_string(),
                state.as_str(),
                error
                    .map(|e| crate::json::to_json(&crate::error::UiError::from(e)))
                    .transpose()?
            ],
        )?;
        Ok(())
    }

    /// Records a download's progress, and where it is saved once known.
    pub fn set_download_progress(&self, id: Uuid, done: u64, path: Option<&str>) -> CoreResult<()> {
        self.0.execute(
            "UPDATE transfers SET done = ?2, path = COALESCE(?3, path) WHERE id = ?1",
            params![id.to_string(), to_i64(done), path],
        )?;
        Ok(())
    }

    /// A cancelled upload takes its pending message with it.
    pub fn drop_upload_message(&self, id: Uuid) -> CoreResult<()> {
        self.0.execute(
            "DELETE FROM messages WHERE client_id = ?1 AND seq IS NULL",
            params![id.to_string()],
        )?;
        Ok(())
    }

    /// The tus uploads an upload created and did not finish.
    pub fn upload_locations(&self, id: Uuid) -> CoreResult<Vec<String>> {
        let parts: Option<String> = self
            .0
            .query_row(
                "SELECT parts FROM transfers WHERE id = ?1",
                params![id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let parts: Vec<Part> = parse_json(parts.as_deref().unwrap_or("[]"))?;
        Ok(parts
            .into_iter()
            .filter(|p| !p.uploaded)
            .filter_map(|p| p.location)
            .collect())
    }

    /// Transfers of one conversation, by id (a message's client id or id).
    pub fn conversation_transfers(
        &self,
        conv: Uuid,
    ) -> CoreResult<std::collections::HashMap<Uuid, Transfer>> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM transfers WHERE conversation_id = ?1 AND state != 'cancelled'"
        ))?;
        let rows = stmt
            .query_map(params![conv.to_string()], transfer_row)?
            .map(|r| r.map(|(t, ..)| (t.id, t)).map_err(CoreError::from))
            .collect();
        rows
    }

    /// A message from the cache by its id.
    pub fn cached_message(&self, id: Uuid) -> CoreResult<Option<Message>> {
        let body: Option<String> = self
            .0
            .query_row(
                "SELECT body FROM messages WHERE id = ?1",
                params![id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| parse_json(&b)).transpose()
    }

    /// One transfer.
    pub fn transfer(&self, id: Uuid) -> CoreResult<Option<Transfer>> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {COLUMNS} FROM transfers WHERE id = ?1"),
                params![id.to_string()],
                transfer_row,
            )
            .optional()?
            .map(|(t, ..)| t))
    }

    /// Whether a worker should still be on transfer `id` (not paused, cancelled or over).
    pub fn transfer_is_open(&self, id: Uuid) -> CoreResult<bool> {
        Ok(self.transfer(id)?.is_some_and(|t| t.state.is_open()))
    }

    /// Newest first, for the Transfers view.
    pub fn transfers(&self) -> CoreResult<Vec<Transfer>> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM transfers WHERE state != 'cancelled' ORDER BY created_at DESC LIMIT 200"
        ))?;
        let rows = stmt
            .query_map([], transfer_row)?
            .map(|r| r.map(|(t, ..)| t).map_err(CoreError::from))
            .collect();
        rows
    }

    /// The oldest upload still to do. A `running` one was cut off by a restart: it goes on.
    pub fn next_upload(&self) -> CoreResult<Option<UploadJob>> {
        let row = self
            .0
            .query_row(
                &format!("SELECT {COLUMNS} FROM transfers WHERE direction = 'up' AND state IN ('preparing', 'queued', 'running')
                          ORDER BY created_at LIMIT 1"),
                [],
                transfer_row,
            )
            .optional()?;
        row.map(|(transfer, parts, request, _)| {
            Ok(UploadJob {
                transfer,
                parts: parse_json(&parts)?,
                request: (!request.is_empty())
                    .then(|| parse_json(&request))
                    .transpose()?,
            })
        })
        .transpose()
    }

    /// The oldest download waiting, for the worker.
    pub fn next_download(&self) -> CoreResult<Option<DownloadJob>> {
        let row = self
            .0
            .query_row(
                &format!("SELECT {COLUMNS} FROM transfers WHERE direction = 'down' AND state IN ('queued', 'running')
                          ORDER BY created_at LIMIT 1"),
                [],
                transfer_row,
            )
            .optional()?;
        Ok(row.map(|(transfer, _, _, hash)| DownloadJob { transfer, hash }))
    }
}
