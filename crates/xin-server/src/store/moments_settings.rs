//! Each person's Moments settings: whom they keep out of their Moments or hide, how far back
//! their album goes, and the tags they give contacts (which posts' visibility lists name).

use uuid::Uuid;
use xin_proto::{AlbumWindow, ErrorCode, EventBody};

use super::{
    moments::{SIX_MONTHS_MS, THREE_DAYS_MS},
    sql::{self},
    Store,
};
use crate::error::{ApiError, ApiResult};

impl Store {
    /// "Don't let them see my Moments" and "Hide their Moments", for one person.
    pub async fn set_person_moments(
        &self,
        owner: Uuid,
        other: Uuid,
        hide_mine: bool,
        hide_theirs: bool,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            let (o, t) = (owner.to_string(), other.to_string());
            for (kind, on) in [("mine", hide_mine), ("theirs", hide_theirs)] {
                let q = if on {
                    "INSERT INTO moment_hidden (owner_id, other_id, kind) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING"
                } else {
                    "DELETE FROM moment_hidden WHERE owner_id = $1 AND other_id = $2 AND kind = $3"
                };
                sql::exec(&cx.conn, q, &[&o, &t, &kind])?;
            }
            Ok(())
        })
        .await
    }

    /// My rules for one person: (hide mine from them, hide theirs from me).
    pub async fn person_moments(&self, owner: Uuid, other: Uuid) -> ApiResult<(bool, bool)> {
        self.reads
            .run(move |c| {
                let kinds: Vec<String> = sql::all(
                    c,
                    "SELECT kind FROM moment_hidden WHERE owner_id = $1 AND other_id = $2",
                    &[&owner.to_string(), &other.to_string()],
                    |r| r.get(0),
                )?;
                Ok((
                    kinds.iter().any(|k| k == "mine"),
                    kinds.iter().any(|k| k == "theirs"),
                ))
            })
            .await
    }

    pub async fn album_window(&self, owner: Uuid) -> ApiResult<AlbumWindow> {
        self.reads
            .run(move |c| {
                let ms: Option<i64> = sql::one(
                    c,
                    "SELECT window_ms FROM moment_prefs WHERE user_id = $1",
                    &[&owner.to_string()],
                    |r| r.get(0),
                )?
                .flatten();
                Ok(match ms {
                    None => AlbumWindow::All,
                    Some(ms) if ms <= THREE_DAYS_MS => AlbumWindow::ThreeDays,
                    Some(_) => AlbumWindow::SixMonths,
                })
            })
            .await
    }

    pub async fn set_album_window(&self, owner: Uuid, window: AlbumWindow) -> ApiResult<()> {
        let ms = match window {
            AlbumWindow::All => None,
            AlbumWindow::SixMonths => Some(SIX_MONTHS_MS),
            AlbumWindow::ThreeDays => Some(THREE_DAYS_MS),
        };
        self.write(move |cx| {
            sql::exec(
                &cx.conn,
                "INSERT INTO moment_prefs (user_id, window_ms) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET window_ms = $2",
                &[&owner.to_string(), &ms],
            )?;
            Ok(())
        })
        .await
    }

    /// Replaces the tags I gave a contact.
    pub async fn set_contact_tags(
        &self,
        owner: Uuid,
        friend: Uuid,
        tags: Vec<String>,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            if !super::contacts::has_contact(&cx.conn, owner, friend)? {
                return Err(ApiError::new(
                    ErrorCode::UserNotFound,
                    "This person is not in your contacts.",
                ));
            }
            let (o, f) = (owner.to_string(), friend.to_string());
            sql::exec(
                &cx.conn,
                "DELETE FROM contact_tags WHERE user_id = $1 AND friend_id = $2",
                &[&o, &f],
            )?;
            for tag in &tags {
                sql::exec(
                    &cx.conn,
                    "INSERT INTO contact_tags (user_id, tag, friend_id) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&o, tag, &f],
                )?;
            }
            // Every device of mine shows the new tags.
            let contact = super::contacts::contact(&cx.conn, owner, friend)?;
            cx.out
                .append(&cx.conn, owner, EventBody::ContactUpdated { contact })
        })
        .await
    }
}
