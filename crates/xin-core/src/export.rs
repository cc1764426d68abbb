//! Exporting a chat's whole history: a folder in Downloads with `chat.json` (every message as
//! the app has it), `index.html` (readable in any browser, offline) and `media/` (its photos),
//! with progress events along the way.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

use serde::Serialize;
use uuid::Uuid;
use xin_proto::{Content, Conversation, Message};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
    events::{CoreEvent, ExportProgress},
    language::Language,
    preview::one_line,
};

#[derive(Serialize)]
struct ExportedMessage<'a> {
    id: Uuid,
    seq: i64,
    sender_id: Uuid,
    sender_name: &'a str,
    created_at: i64,
    recalled: bool,
    content: &'a Content,
}

#[derive(Serialize)]
struct Exported<'a> {
    conversation_id: Uuid,
    title: &'a str,
    exported_at: i64,
    messages: Vec<ExportedMessage<'a>>,
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::File(format!("{}: {e}", path.display()))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// A time as the page shows it: UTC, to the minute.
fn when(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let (h, m) = (secs.rem_euclid(86_400) / 3600, secs.rem_euclid(3600) / 60);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02} UTC")
}

/// The page: one line per message, photos inline from `media/`.
fn html(
    conv: &Conversation,
    messages: &[ExportedMessage<'_>],
    photos: &[(String, String)],
    lang: Language,
) -> String {
    let l = lang.code();
    let title = escape(&conv.title);
    let mut body = String::new();
    for m in messages {
        let content = if m.recalled {
            format!("<i>{}</i>", escape(&t!("[Recalled]", locale = l)))
        } else {
            match m.content {
                Content::Text { text, .. } => escape(text),
                Content::Image { blob, .. } => match photos.iter().find(|(h, _)| *h == blob.hash) {
                    Some((_, file)) => {
                        format!("<img src=\"media/{}\" alt=\"photo\">", escape(file))
                    }
                    None => escape(&t!("[Photo]", locale = l)),
                },
                other => escape(&one_line(other, lang)),
            }
        };
        let _ = writeln!(
            body,
            "<div class=\"m\"><div class=\"h\"><b>{}</b> <span>{}</span></div><div class=\"c\">{content}</div></div>",
            escape(m.sender_name),
            when(m.created_at)
        );
    }
    format!(
        "<!doctype html>\n<html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>\
body{{font:15px/1.5 system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;max-width:760px;margin:24px auto;padding:0 16px;background:#ededed;color:#191919}}\
h1{{font-size:20px;font-weight:500}}.m{{background:#fff;border-radius:6px;padding:8px 12px;margin:8px 0}}\
.h span{{color:#888;font-size:12px}}.c{{margin-top:4px;white-space:normal;word-wrap:break-word}}img{{max-width:320px;border-radius:4px}}\
</style></head><body>\n<h1>{title}</h1>\n<p style=\"color:#888\">{}</p>\n{body}</body></html>\n",
        escape(&t!("Exported from Xin · %{count} messages", count = messages.len(), locale = l))
    )
}

/// A folder name nothing else in Downloads has: "Xin chat - <title>", then " (2)", " (3)"…
fn free_folder(dir: &Path, title: &str, lang: Language) -> PathBuf {
    let name = t!("Xin chat - %{title}", title = title, locale = lang.code());
    let safe = xin_proto::file_name::sanitize(&name);
    crate::download::free_name(dir, &safe)
}

impl Engine {
    fn export_progress(&self, conv: Uuid, done: usize, total: usize, folder: Option<&Path>) {
        self.emit(CoreEvent::ExportProgress {
            progress: ExportProgress {
                conversation_id: conv,
                done: u32::try_from(done).unwrap_or(u32::MAX),
                total: u32::try_from(total).unwrap_or(u32::MAX),
                folder: folder.map(|f| f.display().to_string()),
            },
        });
    }

    /// Exports the whole history of `conv` into a new folder in Downloads and answers it. The
    /// history older than the cache is fetched first; photos are copied from the media cache
    /// (downloaded if needed).
    pub async fn export_chat(&self, conv: Uuid) -> CoreResult<PathBuf> {
        let account = self.signed_in().await?;
        let conversation = account
            .db
            .lock()
            .await
            .conversation(conv)?
            .ok_or_else(|| CoreError::invalid("There is no such chat."))?;
        self.export_progress(conv, 0, 0, None);
        let all = self.whole_history(conv).await?;
        let names = |id: Uuid| {
            conversation
                .members
                .iter()
                .find(|m| m.user.id == id)
                .map_or("(left the chat)", |m| m.user.display_name.as_str())
        };
        let messages: Vec<ExportedMessage<'_>> = all
            .iter()
            .map(|m| ExportedMessage {
                id: m.id,
                seq: m.seq,
                sender_id: m.sender_id,
                sender_name: names(m.sender_id),
                created_at: m.created_at,
                recalled: m.recalled,
                content: &m.content,
            })
            .collect();
        let folder = free_folder(
            &self.0.config.downloads,
            &conversation.title,
            self.language(),
        );
        let media = folder.join("media");
        tokio::fs::create_dir_all(&media)
            .await
            .map_err(|e| file_error(&media, e))?;
        // Photos, one by one, with progress per message.
        let total = messages.len();
        let mut photos = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            if let (false, Content::Image { blob, .. }) = (m.recalled, m.content) {
                match self.media_file(&blob.hash).await {
                    Ok(path) => {
                        let bytes = tokio::fs::read(&path)
                            .await
                            .map_err(|e| file_error(&path, e))?;
                        let ext = match bytes.get(..4) {
                            Some([0x89, b'P', b'N', b'G']) => "png",
                            Some([b'G', b'I', b'F', _]) => "gif",
                            Some([b'R', b'I', b'F', b'F']) => "webp",
                            _ => "jpg",
                        };
                        let file = format!("{}.{ext}", blob.hash);
                        let target = media.join(&file);
                        tokio::fs::write(&target, bytes)
                            .await
                            .map_err(|e| file_error(&target, e))?;
                        photos.push((blob.hash.clone(), file));
                    }
                    // A photo the server no longer has stays a "[Photo]" line.
                    Err(e) => tracing::warn!("export: photo {}: {e}", blob.hash),
                }
            }
            if i % 50 == 0 {
                self.export_progress(conv, i, total, None);
            }
        }
        let exported = Exported {
            conversation_id: conv,
            title: &conversation.title,
            exported_at: crate::time::now_ms(),
            messages,
        };
        let json =
            serde_json::to_vec_pretty(&exported).map_err(|e| CoreError::Cache(e.to_string()))?;
        let page = html(&conversation, &exported.messages, &photos, self.language());
        for (name, bytes) in [("chat.json", json), ("index.html", page.into_bytes())] {
            let path = folder.join(name);
            tokio::fs::write(&path, bytes)
                .await
                .map_err(|e| file_error(&path, e))?;
        }
        self.export_progress(conv, total, total, Some(&folder));
        Ok(folder)
    }

    /// Every message of `conv`, oldest first: what the cache lacks is fetched from the server.
    async fn whole_history(&self, conv: Uuid) -> CoreResult<Vec<Message>> {
        let mut pages: Vec<Vec<Message>> = Vec::new();
        let mut before = None;
        loop {
            let page = self.messages(conv, before).await?;
            let Some(first) = page.first() else { break };
            let oldest = first.message.seq;
            let at_start = oldest <= 1 || before == Some(oldest);
            pages.push(page.into_iter().map(|m| m.message).collect());
            if at_start {
                break;
            }
            before = Some(oldest);
        }
        let mut all: Vec<Message> = pages.into_iter().rev().flatten().collect();
        all.dedup_by_key(|m| m.id);
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_times_are_dates() {
        assert_eq!(
            escape("<b>hi</b> & \"you\"\nbye"),
            "&lt;b&gt;hi&lt;/b&gt; &amp; &quot;you&quot;<br>bye"
        );
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_795_305_600_000), "2026-11-22 00:00 UTC");
        assert_eq!(when(951_829_500_000), "2000-02-29 13:05 UTC");
    }
}
