//! Official accounts in the account cache: the server's last answers (the subscriptions feed,
//! the accounts I follow, each account's chat and history, articles I opened), so they open
//! offline and at once; and what arrived from each account since I last looked at it.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{de::DeserializeOwned, Serialize};
use ts_rs::TS;
use uuid::Uuid;
use xin_proto::{EventBody, OfficialKind};

use crate::{
    cache::AccountDb,
    changes::Changes,
    error::CoreResult,
    json::{from_json, to_json},
};

/// What arrived from one account that I have not looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OfficialUnread {
    /// The official account.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// Known once a broadcast told it; messages alone do not say.
    pub kind: Option<OfficialKind>,
    /// Broadcasts not yet read.
    pub broadcasts: u32,
    /// Chat messages from the account not yet read.
    pub messages: u32,
}

fn kind_str(k: OfficialKind) -> &'static str {
    match k {
        OfficialKind::Subscription => "subscription",
        OfficialKind::Service => "service",
    }
}

/// Counts a broadcast, or a message the account wrote, inside the sync transaction.
pub fn apply(tx: &Transaction<'_>, body: &EventBody, changes: &mut Changes) -> CoreResult<()> {
    match body {
        EventBody::OfficialBroadcast { broadcast } => {
            tx.execute(
                "INSERT INTO official_unread (account_id, kind, broadcasts) VALUES (?1, ?2, 1)
                 ON CONFLICT (account_id) DO UPDATE SET broadcasts = broadcasts + 1, kind = excluded.kind",
                params![
                    broadcast.account_id.to_string(),
                    kind_str(broadcast.account_kind)
                ],
            )?;
        }
        EventBody::OfficialMessage { message } if message.from_account => {
            tx.execute(
                "INSERT INTO official_unread (account_id, messages) VALUES (?1, 1)
                 ON CONFLICT (account_id) DO UPDATE SET messages = messages + 1",
                params![message.account_id.to_string()],
            )?;
        }
        _ => {}
    }
    changes.subscriptions = true;
    Ok(())
}

impl AccountDb {
    /// Keeps the server's answer to `key`.
    pub fn put_official<T: Serialize>(&self, key: &str, value: &T) -> CoreResult<()> {
        self.0.execute(
            "INSERT INTO official_cache (key, body) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET body = excluded.body",
            params![key, to_json(value)?],
        )?;
        Ok(())
    }

    /// The last answer to `key`, if there was one.
    pub fn official<T: DeserializeOwned>(&self, key: &str) -> CoreResult<Option<T>> {
        self.0
            .query_row(
                "SELECT body FROM official_cache WHERE key = ?1",
                params![key],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|b| from_json(&b))
            .transpose()
    }

    /// Unread broadcasts and messages per official account.
    pub fn official_unread(&self) -> CoreResult<Vec<OfficialUnread>> {
        let mut stmt = self.0.prepare(
            "SELECT account_id, kind, broadcasts, messages FROM official_unread
              WHERE broadcasts > 0 OR messages > 0 ORDER BY account_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (id, kind, broadcasts, messages) = row?;
            Ok(OfficialUnread {
                account_id: crate::cache::parse_uuid(&id)?,
                kind: kind.map(|k| {
                    if k == "service" {
                        OfficialKind::Service
                    } else {
                        OfficialKind::Subscription
                    }
                }),
                broadcasts,
                messages,
            })
        })
        .collect()
    }

    /// I looked at one account's chat (everything from it is read), or, without an account, at
    /// Subscriptions (every subscription account's broadcasts are read).
    pub fn mark_official_read(&self, account: Option<Uuid>) -> CoreResult<()> {
        match account {
            Some(a) => self.0.execute(
                "UPDATE official_unread SET broadcasts = 0, messages = 0 WHERE account_id = ?1",
                params![a.to_string()],
            )?,
            None => self.0.execute(
                "UPDATE official_unread SET broadcasts = 0 WHERE kind = 'subscription'",
                [],
            )?,
        };
        Ok(())
    }
}
