//! The local SQLite caches (rusqlite, WAL, numbered migrations): one app-wide database and one
//! per account. They hold what the UI shows, never a credential.

use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;
use xin_proto::{Device, DeviceKind, UserProfile};

use crate::error::{CoreError, CoreResult};

/// What the app remembers about the account it last signed in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    /// Who it is.
    pub user: UserProfile,
    /// This computer's device id in that account.
    pub device_id: Uuid,
}

/// The app-wide database: the remembered account and the app's settings.
pub struct AppDb(pub(crate) Connection);

impl AppDb {
    /// The account this computer last signed in with on `server`, if it is remembered.
    pub fn remembered(&self, server: &str) -> CoreResult<Option<Remembered>> {
        self.0
            .query_row(
                "SELECT user_id, handle, display_name, avatar_hue, device_id FROM remembered_accounts WHERE server = ?1",
                params![server],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, handle, display_name, hue, device)| {
                Ok(Remembered {
                    user: UserProfile {
                        id: parse_uuid(&id)?,
                        handle,
                        display_name,
                        avatar_hue: u16::try_from(hue).unwrap_or(0),
                    },
                    device_id: parse_uuid(&device)?,
                })
            })
            .transpose()
    }

    /// Remembers `r` as the account to offer "Log in" for on `server`.
    pub fn remember(&self, server: &str, r: &Remembered) -> CoreResult<()> {
        self.0.execute(
            "INSERT INTO remembered_accounts (server, user_id, handle, display_name, avatar_hue, device_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (server) DO UPDATE SET user_id = excluded.user_id, handle = excluded.handle,
               display_name = excluded.display_name, avatar_hue = excluded.avatar_hue, device_id = excluded.device_id",
            params![
                server,
                r.user.id.to_string(),
                r.user.handle,
                r.user.display_name,
                i64::from(r.user.avatar_hue),
                r.device_id.to_string()
            ],
        )?;
        Ok(())
    }

    /// One app setting, if it was ever set.
    pub fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(self
            .0
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets one app setting.
    pub fn set_setting(&self, key: &str, value: &str) -> CoreResult<()> {
        self.0.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Forgets the remembered account on `server`.
    pub fn forget(&self, server: &str) -> CoreResult<()> {
        self.0.execute(
            "DELETE FROM remembered_accounts WHERE server = ?1",
            params![server],
        )?;
        Ok(())
    }
}

/// One account's cache.
pub struct AccountDb(pub Connection);

impl AccountDb {
    /// Keeps the signed-in user's own profile.
    pub fn save_profile(&self, user: &UserProfile) -> CoreResult<()> {
        self.0.execute(
            "INSERT INTO profile (user_id, handle, display_name, avatar_hue) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id) DO UPDATE SET handle = excluded.handle,
               display_name = excluded.display_name, avatar_hue = excluded.avatar_hue",
            params![
                user.id.to_string(),
                user.handle,
                user.display_name,
                i64::from(user.avatar_hue)
            ],
        )?;
        Ok(())
    }

    /// Replaces the cached device list in one transaction.
    pub fn save_devices(&mut self, devices: &[Device]) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        tx.execute("DELETE FROM devices", [])?;
        for d in devices {
            tx.execute(
                "INSERT INTO devices (id, name, kind, os, app_version, ip, last_active_at, created_at, is_current, signed_in)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    d.id.to_string(),
                    d.name,
                    d.kind.as_str(),
                    d.os,
                    d.app_version,
                    d.ip,
                    d.last_active_at,
                    d.created_at,
                    d.current,
                    d.signed_in
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// This account's devices, as last fetched.
    pub fn devices(&self) -> CoreResult<Vec<Device>> {
        let mut stmt = self.0.prepare(
            "SELECT id, name, kind, os, app_version, ip, last_active_at, created_at, is_current, signed_in
             FROM devices ORDER BY is_current DESC, last_active_at DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, bool>(8)?,
                r.get::<_, bool>(9)?,
            ))
        })?;
        rows.map(|row| {
            let (
                id,
                name,
                kind,
                os,
                app_version,
                ip,
                last_active_at,
                created_at,
                current,
                signed_in,
            ) = row?;
            Ok(Device {
                id: parse_uuid(&id)?,
                name,
                kind: DeviceKind::parse(&kind).unwrap_or(DeviceKind::Desktop),
                os,
                app_version,
                ip,
                last_active_at,
                created_at,
                current,
                signed_in,
            })
        })
        .collect()
    }
}

/// An id stored as text; a damaged one is a cache error, not a panic.
pub fn parse_uuid(s: &str) -> CoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| CoreError::Cache(format!("bad id in cache: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations::{account_migrations, app_migrations, prepare};

    /// A cache from before the chat list kept its last message as facts shows each chat's last
    /// message in the reader's language right after the update, not the English words stored.
    #[test]
    fn old_english_previews_are_reworded_on_update() -> Result<(), Box<dyn std::error::Error>> {
        let mut conn = Connection::open_in_memory()?;
        crate::search::register(&conn)?;
        account_migrations().to_version(&mut conn, 7)?;
        let conv = xin_proto::Conversation {
            id: Uuid::now_v7(),
            kind: xin_proto::ConversationKind::Direct,
            title: "Bob".into(),
            announcement: String::new(),
            members: vec![],
            last_seq: 1,
            read_seq: 0,
            unread: 1,
            pinned: false,
            muted: false,
            active: true,
        };
        let photo = xin_proto::Message {
            id: Uuid::now_v7(),
            conversation_id: conv.id,
            seq: 1,
            sender_id: Uuid::now_v7(),
            client_id: Uuid::now_v7(),
            content: xin_proto::Content::Image {
                blob: xin_proto::BlobRef {
                    hash: "a".repeat(64),
                    size: 1,
                },
                width: 1,
                height: 1,
                thumbnail: None,
                placeholder: String::new(),
            },
            reply_to: None,
            recalled: false,
            created_at: 1,
        };
        conn.execute(
            "INSERT INTO conversations (id, body, pinned, last_activity, preview)
             VALUES (?1, ?2, 0, 1, '[Photo]')",
            params![conv.id.to_string(), serde_json::to_string(&conv)?],
        )?;
        conn.execute(
            "INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, body, state, created_at)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, 'sent', 1)",
            params![
                photo.id.to_string(),
                conv.id.to_string(),
                photo.client_id.to_string(),
                photo.sender_id.to_string(),
                serde_json::to_string(&photo)?
            ],
        )?;
        account_migrations().to_latest(&mut conn)?;
        let db = AccountDb(conn);
        let chats = db.chats(crate::language::Language::SimplifiedChinese)?;
        assert_eq!(chats.len(), 1);
        assert_eq!(chats[0].preview, "[图片]");
        Ok(())
    }

    #[test]
    fn migrations_are_valid() -> Result<(), Box<dyn std::error::Error>> {
        assert!(app_migrations().validate().is_ok());
        // The account cache's triggers need the search functions the app registers.
        let mut conn = Connection::open_in_memory()?;
        crate::search::register(&conn)?;
        account_migrations().to_latest(&mut conn)?;
        Ok(())
    }

    /// A cache from before encryption is rewritten encrypted on first open: its history stays,
    /// the plaintext goes. One whose key was lost is set aside, not read without a key.
    #[test]
    fn a_plaintext_cache_is_encrypted_in_place_and_a_keyless_one_set_aside(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("accounts").join("a.db");
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        let text = "plaintext-heron-3141 before encryption";
        let m = xin_proto::Message {
            id: Uuid::now_v7(),
            conversation_id: Uuid::now_v7(),
            seq: 1,
            sender_id: Uuid::now_v7(),
            client_id: Uuid::now_v7(),
            content: xin_proto::Content::Text {
                text: text.into(),
                mentions: vec![],
                mention_all: false,
            },
            reply_to: None,
            recalled: false,
            created_at: 1_700_000_000_000,
        };
        {
            let mut old = AccountDb(prepare(Connection::open(&path)?, &account_migrations())?);
            old.store_history(std::slice::from_ref(&m))?;
        }
        assert!(std::fs::read(&path)?
            .windows(text.len())
            .any(|w| w == text.as_bytes()));

        let key = crate::cache_key::CacheKey::random();
        let db = AccountDb::open(&path, &key)?;
        assert_eq!(
            db.search_messages("heron", 10)?.len(),
            1,
            "the history survives"
        );
        drop(db);
        for entry in std::fs::read_dir(path.parent().ok_or("no parent")?)? {
            let bytes = std::fs::read(entry?.path())?;
            assert!(!bytes.windows(text.len()).any(|w| w == text.as_bytes()));
        }

        // Another key (the keyring lost it): an empty cache, the old one unreadable anyway.
        let db = AccountDb::open(&path, &crate::cache_key::CacheKey::random())?;
        assert!(db.search_messages("heron", 10)?.is_empty());
        Ok(())
    }

    #[test]
    fn remembered_account_round_trips_and_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let db = AppDb::open(&dir.path().join("app.db")).unwrap();
        let r = Remembered {
            user: UserProfile {
                id: Uuid::now_v7(),
                handle: "alice".into(),
                display_name: "Alice".into(),
                avatar_hue: 12,
            },
            device_id: Uuid::now_v7(),
        };
        db.remember("http://s", &r).unwrap();
        assert_eq!(db.remembered("http://s").unwrap(), Some(r.clone()));
        assert_eq!(db.remembered("http://other").unwrap(), None);
        db.forget("http://s").unwrap();
        assert_eq!(db.remembered("http://s").unwrap(), None);
    }
}
