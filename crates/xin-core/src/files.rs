//! Sending and receiving files: what the UI calls. The work happens in the `upload` and
//! `download` workers; this queues it, pauses, resumes and cancels it.

use std::path::{Path, PathBuf};

use uuid::Uuid;
use xin_proto::{file_name, BlobRef, Content, Message};

use crate::{
    download,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::CoreEvent,
    media,
    session::AccountSession,
    time::now_ms,
    transfer_cache::{Direction, Transfer, TransferState},
};

/// A pasted image's arguments (its bytes travel as the command's body).
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
pub struct PastedImage {
    pub conversation: Uuid,
    /// The name the file gets in the chat.
    pub name: String,
}

/// A voice message's arguments (its Opus bytes travel as the command's body).
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
pub struct VoiceRecording {
    pub conversation: Uuid,
    pub duration_ms: u32,
    /// Loudness samples for the bubble's waveform, 0–255.
    pub waveform: Vec<u8>,
}

async fn ensure_dir(dir: &Path) -> CoreResult<()> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| CoreError::File(format!("Could not create {}: {e}", dir.display())))
}

/// What the bubble shows while the file is being prepared: its kind, name and size.
fn provisional(path: &Path, name: &str, size: u64) -> Content {
    let blob = BlobRef {
        hash: String::new(),
        size,
    };
    if media::photo_format(path).is_some() {
        Content::Image {
            blob,
            width: 0,
            height: 0,
            thumbnail: None,
            placeholder: String::new(),
        }
    } else {
        Content::File {
            blob,
            name: file_name::sanitize(name),
            media_type: mime_guess::from_path(name)
                .first_or_octet_stream()
                .essence_str()
                .to_string(),
        }
    }
}

impl Engine {
    pub(crate) fn media_dir(&self, account: &AccountSession) -> PathBuf {
        self.data_dir()
            .join("media")
            .join(account.user.id.to_string())
    }

    /// Reports a transfer's new state to the UI, and its message's.
    pub(crate) async fn transfer_changed(&self, account: &AccountSession, id: Uuid) {
        let transfer = account.db.lock().await.transfer(id);
        if let Ok(Some(transfer)) = transfer {
            self.emit(CoreEvent::MessagesChanged {
                conversation_id: transfer.conversation_id,
            });
            self.emit(CoreEvent::Transfer { transfer });
        }
        self.emit(CoreEvent::ChatsChanged);
    }

    /// Sends each file to the conversation, in order: photos as photos, the rest as files.
    /// Each shows at once as a pending message with its progress.
    pub async fn send_files(&self, conv: Uuid, paths: Vec<PathBuf>) -> CoreResult<Vec<Transfer>> {
        let mut queued = Vec::new();
        for path in paths {
            let meta = tokio::fs::metadata(&path)
                .await
                .map_err(|e| CoreError::File(format!("Could not read {}: {e}", path.display())))?;
            if !meta.is_file() {
                return Err(CoreError::File(format!(
                    "{} is not a file.",
                    path.display()
                )));
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let (p, n, size) = (path.clone(), name.clone(), meta.len());
            let content = tokio::task::spawn_blocking(move || provisional(&p, &n, size))
                .await
                .map_err(|e| CoreError::File(e.to_string()))?;
            queued.push(self.queue_upload(conv, path, name, size, content).await?);
        }
        Ok(queued)
    }

    /// Shows the message at once as pending, with `content` as it will look, and queues its
    /// upload.
    async fn queue_upload(
        &self,
        conv: Uuid,
        path: PathBuf,
        name: String,
        size: u64,
        content: Content,
    ) -> CoreResult<Transfer> {
        let account = self.signed_in().await?;
        let id = Uuid::now_v7();
        let transfer = Transfer {
            id,
            direction: Direction::Up,
            conversation_id: conv,
            name: file_name::sanitize(&name),
            path: path.display().to_string(),
            size,
            done: 0,
            state: TransferState::Preparing,
            error: None,
            speed: 0,
            created_at: now_ms(),
        };
        let shown = Message {
            id,
            conversation_id: conv,
            seq: 0,
            sender_id: account.user.id,
            client_id: id,
            content,
            reply_to: None,
            recalled: false,
            created_at: transfer.created_at,
        };
        account.db.lock().await.add_upload(&transfer, &shown)?;
        account.uploads_wake.notify_one();
        self.emit(CoreEvent::MessagesChanged {
            conversation_id: conv,
        });
        self.emit(CoreEvent::ChatsChanged);
        Ok(transfer)
    }

    /// Saves a received file to the download folder (a clash gets " (1)"), resumably.
    pub async fn download_file(&self, message: &Message) -> CoreResult<Transfer> {
        let account = self.signed_in().await?;
        let (Content::File { blob, name, .. } | Content::Video { blob, name, .. }) =
            &message.content
        else {
            return Err(CoreError::invalid(
                "Only files and videos are saved to the download folder.",
            ));
        };
        let dir = self.0.config.downloads.clone();
        ensure_dir(&dir).await?;
        let transfer = Transfer {
            id: message.id,
            direction: Direction::Down,
            conversation_id: message.conversation_id,
            name: file_name::sanitize(name),
            path: download::free_name(&dir, name).display().to_string(),
            size: blob.size,
            done: 0,
            state: TransferState::Queued,
            error: None,
            speed: 0,
            created_at: now_ms(),
        };
        account
            .db
            .lock()
            .await
            .add_download(&transfer, &blob.hash)?;
        account.downloads_wake.notify_one();
        self.transfer_changed(&account, transfer.id).await;
        Ok(transfer)
    }

    /// [`Engine::download_file`] for a message in the cache.
    pub async fn download(&self, message: Uuid) -> CoreResult<Transfer> {
        let account = self.signed_in().await?;
        let m = account.db.lock().await.cached_message(message)?;
        let m = m.ok_or_else(|| CoreError::invalid("That message is not here any more."))?;
        self.download_file(&m).await
    }

    /// The local file of a finished transfer: what "Open" and "Show in folder" act on. Only
    /// files Xin itself sent or saved, never a path the UI makes up.
    pub async fn transfer_file(&self, id: Uuid) -> CoreResult<PathBuf> {
        let account = self.signed_in().await?;
        let t = account.db.lock().await.transfer(id)?;
        match t {
            Some(t) if t.direction == Direction::Up || t.state == TransferState::Done => {
                let path = PathBuf::from(t.path);
                if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                    Ok(path)
                } else {
                    Err(CoreError::File(format!(
                        "{} was moved or deleted.",
                        path.display()
                    )))
                }
            }
            _ => Err(CoreError::invalid("That file has not been downloaded yet.")),
        }
    }

    /// Saves a copy of a cached photo to the download folder (the viewer's "Save").
    /// `stem` gets the extension of what the bytes are (a photo may be a JPEG, PNG or GIF).
    pub async fn save_media(&self, hash: &str, stem: &str) -> CoreResult<PathBuf> {
        let source = self.media_file(hash).await?;
        let dir = self.0.config.downloads.clone();
        ensure_dir(&dir).await?;
        let p = source.clone();
        let format = tokio::task::spawn_blocking(move || media::photo_format(&p))
            .await
            .map_err(|e| CoreError::File(e.to_string()))?;
        let ext = format
            .and_then(|f| f.extensions_str().first().copied())
            .unwrap_or("bin");
        let target = download::free_name(&dir, &format!("{stem}.{ext}"));
        tokio::fs::copy(&source, &target)
            .await
            .map_err(|e| CoreError::File(format!("Could not save {}: {e}", target.display())))?;
        Ok(target)
    }

    /// Sends a recorded voice message (Opus), through the same durable upload as any file.
    pub async fn send_voice(
        &self,
        conv: Uuid,
        audio: Vec<u8>,
        duration_ms: u32,
        waveform: Vec<u8>,
    ) -> CoreResult<Transfer> {
        if audio.is_empty() || duration_ms == 0 || duration_ms > xin_proto::MAX_VOICE_MS {
            return Err(CoreError::invalid(
                "A voice message lasts up to 60 seconds.",
            ));
        }
        let size = audio.len() as u64;
        let path = self.keep_bytes("Voice message.webm", audio).await?;
        let voice = Content::Voice {
            blob: BlobRef {
                hash: String::new(),
                size,
            },
            duration_ms,
            waveform: waveform.into_iter().take(128).collect(),
        };
        self.queue_upload(conv, path, "Voice message.webm".into(), size, voice)
            .await
    }

    async fn keep_bytes(&self, name: &str, bytes: Vec<u8>) -> CoreResult<PathBuf> {
        let dir = self.data_dir().join("outgoing");
        ensure_dir(&dir).await?;
        let path = download::free_name(&dir, name);
        tokio::fs::write(&path, bytes)
            .await
            .map_err(|e| CoreError::File(format!("Could not write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Keeps pasted bytes (a screenshot, say) as a file and sends it.
    pub async fn send_bytes(
        &self,
        conv: Uuid,
        name: &str,
        bytes: Vec<u8>,
    ) -> CoreResult<Vec<Transfer>> {
        let path = self.keep_bytes(name, bytes).await?;
        self.send_files(conv, vec![path]).await
    }

    /// The cached copy of a photo, thumbnail or voice message (downloaded first if needed).
    pub async fn media_file(&self, hash: &str) -> CoreResult<PathBuf> {
        let account = self.signed_in().await?;
        download::media_file(&account, &self.media_dir(&account), hash).await
    }

    /// Every transfer, newest first (the Transfers view).
    pub async fn transfers(&self) -> CoreResult<Vec<Transfer>> {
        self.signed_in().await?.db.lock().await.transfers()
    }

    async fn set_state(&self, id: Uuid, state: TransferState) -> CoreResult<Transfer> {
        let account = self.signed_in().await?;
        let db = account.db.lock().await;
        let t = db
            .transfer(id)?
            .ok_or_else(|| CoreError::invalid("No such transfer."))?;
        db.set_transfer_state(id, state, None)?;
        drop(db);
        account.transfer_stop.notify_waiters();
        account.uploads_wake.notify_one();
        account.downloads_wake.notify_one();
        self.transfer_changed(&account, id).await;
        Ok(t)
    }

    pub async fn pause_transfer(&self, id: Uuid) -> CoreResult<()> {
        self.set_state(id, TransferState::Paused).await.map(|_| ())
    }

    pub async fn resume_transfer(&self, id: Uuid) -> CoreResult<()> {
        self.set_state(id, TransferState::Queued).await.map(|_| ())
    }

    /// Stops a transfer for good. An upload's message goes too, and the server drops what it
    /// received; a download's partial file is deleted.
    pub async fn cancel_transfer(&self, id: Uuid) -> CoreResult<()> {
        let t = self.set_state(id, TransferState::Cancelled).await?;
        let account = self.signed_in().await?;
        match t.direction {
            Direction::Up => {
                account.db.lock().await.drop_upload_message(id)?;
                let locations = account.db.lock().await.upload_locations(id)?;
                for location in locations {
                    let access = account.access().await;
                    if let Err(e) = account.api.cancel_upload(&access, &location).await {
                        tracing::info!("cancel upload: {e} (the server collects it later)");
                    }
                }
            }
            Direction::Down => {
                let target = PathBuf::from(&t.path);
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let _ = tokio::fs::remove_file(target.with_file_name(format!(".{name}.xin-part")))
                    .await;
            }
        }
        self.transfer_changed(&account, id).await;
        Ok(())
    }
}
