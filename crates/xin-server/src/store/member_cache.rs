//! What a send needs to know about a conversation — its kind, who is in it with which role,
//! and for a direct chat whether the two may message — kept by the writer so a send does not
//! join every member's profile. Writes that change any of it forget the entry (group changes)
//! or every entry (contacts and blocks); the next send reloads it.

use std::{collections::HashMap, sync::Arc};

use uuid::Uuid;
use xin_proto::{ConversationKind, Role};

use super::{
    contacts::{blocked_between, has_contact},
    conversations::{not_found, parse_kind, parse_role},
    parse_uuid,
    sql::{self, Conn},
};
use crate::error::ApiResult;

/// Entries kept at most; past it the cache starts over (it only saves reads).
const CAPACITY: usize = 100_000;

pub(crate) use crate::rules::conversations::DirectState;

#[derive(Debug)]
pub(crate) struct ConversationFacts {
    pub kind: ConversationKind,
    /// Active members and their roles.
    pub members: HashMap<Uuid, Role>,
    /// Direct chats only.
    pub direct: Option<DirectState>,
}

impl ConversationFacts {
    pub fn role_of(&self, user: Uuid) -> ApiResult<Role> {
        self.members.get(&user).copied().ok_or_else(not_found)
    }
}

#[derive(Default)]
pub(crate) struct MemberCache(HashMap<Uuid, Arc<ConversationFacts>>);

impl MemberCache {
    pub fn get(&mut self, c: &Conn, conv: Uuid) -> ApiResult<Arc<ConversationFacts>> {
        if let Some(v) = self.0.get(&conv) {
            return Ok(v.clone());
        }
        let view = Arc::new(load(c, conv)?);
        if self.0.len() >= CAPACITY {
            self.0.clear();
        }
        self.0.insert(conv, view.clone());
        Ok(view)
    }

    pub fn forget(&mut self, conv: Uuid) {
        self.0.remove(&conv);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

fn load(c: &Conn, conv: Uuid) -> ApiResult<ConversationFacts> {
    let id = conv.to_string();
    let kind: String = sql::one(
        c,
        "SELECT kind FROM conversations WHERE id = $1",
        &[&id],
        |r| r.get(0),
    )?
    .ok_or_else(not_found)?;
    let rows: Vec<(String, String)> = sql::all(
        c,
        "SELECT user_id, role FROM members WHERE conversation_id = $1 AND active = 1",
        &[&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let members = rows
        .iter()
        .map(|(u, r)| Ok((parse_uuid(u)?, parse_role(r))))
        .collect::<ApiResult<HashMap<_, _>>>()?;
    let kind = parse_kind(&kind);
    let direct = if kind == ConversationKind::Direct {
        let ids: Vec<Uuid> = members.keys().copied().collect();
        Some(match ids.as_slice() {
            [a, b] if blocked_between(c, *a, *b)? => DirectState::Blocked,
            [a, b] if has_contact(c, *a, *b)? && has_contact(c, *b, *a)? => DirectState::Open,
            _ => DirectState::NotFriends,
        })
    } else {
        None
    };
    Ok(ConversationFacts {
        kind,
        members,
        direct,
    })
}
