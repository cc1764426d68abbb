//! Conversations and their members: direct chats, File Transfer, groups and their settings.
//! Every change appends events for the members it concerns: a group change as the change
//! itself (O(members) small rows), a whole snapshot only to whom it is new or personal. The
//! decisions (who may do what) are `rules::conversations`; this file reads and writes.

use uuid::Uuid;
use xin_proto::{
    Conversation, ConversationKind, ErrorCode, EventBody, Member, Named, Role, SystemEvent,
    UserProfile,
};

use super::{
    contacts::{has_contact, mutual_friends, profile},
    messages::system,
    parse_uuid,
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::conversations as rules,
    time::now_ms,
};

pub(crate) fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ConversationNotFound,
        "No such conversation, or you are not in it.",
    )
}

fn kind_str(k: ConversationKind) -> &'static str {
    match k {
        ConversationKind::Direct => "direct",
        ConversationKind::Group => "group",
        ConversationKind::SelfNote => "self_note",
    }
}

pub(crate) fn parse_kind(s: &str) -> ConversationKind {
    match s {
        "group" => ConversationKind::Group,
        "self_note" => ConversationKind::SelfNote,
        _ => ConversationKind::Direct,
    }
}

fn role_str(r: Role) -> &'static str {
    match r {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

pub(crate) fn parse_role(s: &str) -> Role {
    match s {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

/// (role, active) of `user` in `conv`, if they ever were a member.
pub(super) fn membership(c: &Conn, conv: Uuid, user: Uuid) -> ApiResult<Option<(Role, bool)>> {
    sql::one(
        c,
        "SELECT role, active FROM members WHERE conversation_id = $1 AND user_id = $2",
        &[&conv.to_string(), &user.to_string()],
        |r| {
            Ok((
                parse_role(&r.get::<_, String>(0)?),
                r.get::<_, i64>(1)? != 0,
            ))
        },
    )
}

pub(super) fn active_members(c: &Conn, conv: Uuid) -> ApiResult<Vec<Uuid>> {
    let rows: Vec<String> = sql::all(
        c,
        "SELECT user_id FROM members WHERE conversation_id = $1 AND active = 1 ORDER BY joined_at, user_id",
        &[&conv.to_string()],
        |r| r.get(0),
    )?;
    rows.iter().map(|u| parse_uuid(u)).collect()
}

/// The caller's role in a group, refusing anyone not in it and any other kind of chat.
fn group_role(cx: &mut WriteCx, conv: Uuid, user: Uuid, what: &str) -> ApiResult<Role> {
    let v = cx.members.get(&cx.conn, conv)?;
    let role = v.role_of(user)?;
    rules::group_only(v.kind, what)?;
    Ok(role)
}

/// What every member sees alike: one read however many members a change is announced to.
pub(crate) struct Shared {
    kind: ConversationKind,
    title: String,
    announcement: String,
    last_seq: i64,
    members: Vec<Member>,
}

pub(crate) fn shared(c: &Conn, conv: Uuid) -> ApiResult<Shared> {
    let id = conv.to_string();
    let (kind, title, announcement, last_seq): (String, String, String, i64) = sql::one(
        c,
        "SELECT kind, title, announcement, last_seq FROM conversations WHERE id = $1",
        &[&id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?
    .ok_or_else(not_found)?;
    let members = sql::all(
        c,
        "SELECT u.id, u.handle, u.display_name, u.avatar_hue, m.role
         FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.conversation_id = $1 AND m.active = 1 ORDER BY m.joined_at, m.user_id",
        &[&id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    )?
    .into_iter()
    .map(|(id, handle, display_name, hue, role)| {
        Ok(Member {
            user: UserProfile {
                id: parse_uuid(&id)?,
                handle,
                display_name,
                avatar_hue: u16::try_from(hue).unwrap_or(0),
            },
            role: parse_role(&role),
        })
    })
    .collect::<ApiResult<Vec<_>>>()?;
    Ok(Shared {
        kind: parse_kind(&kind),
        title,
        announcement,
        last_seq,
        members,
    })
}

/// The shared part plus what is `user`'s own: read marker, pin, mute, and a direct chat's title.
pub(crate) fn for_user(c: &Conn, conv: Uuid, s: &Shared, user: Uuid) -> ApiResult<Conversation> {
    let (read_seq, pinned, muted, active): (i64, i64, i64, i64) = sql::one(
        c,
        "SELECT read_seq, pinned, muted, active FROM members WHERE conversation_id = $1 AND user_id = $2",
        &[&conv.to_string(), &user.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?
    .ok_or_else(not_found)?;
    let title = match s.kind {
        ConversationKind::Direct => match s.members.iter().find(|m| m.user.id != user) {
            Some(other) => {
                let remark: Option<String> = sql::one(
                    c,
                    "SELECT remark FROM contacts WHERE user_id = $1 AND friend_id = $2",
                    &[&user.to_string(), &other.user.id.to_string()],
                    |r| r.get(0),
                )?
                .flatten();
                remark.unwrap_or_else(|| other.user.display_name.clone())
            }
            None => s.title.clone(),
        },
        ConversationKind::SelfNote => "File Transfer".to_string(),
        ConversationKind::Group => s.title.clone(),
    };
    Ok(Conversation {
        id: conv,
        kind: s.kind,
        title,
        announcement: s.announcement.clone(),
        members: s.members.clone(),
        last_seq: s.last_seq,
        read_seq,
        unread: (s.last_seq - read_seq).max(0),
        pinned: pinned != 0,
        muted: muted != 0,
        active: active != 0,
    })
}

/// The conversation as `user` sees it.
pub(crate) fn view(c: &Conn, conv: Uuid, user: Uuid) -> ApiResult<Conversation> {
    let s = shared(c, conv)?;
    for_user(c, conv, &s, user)
}

/// After a remark change, the direct chat's title changes for `user`.
pub(crate) fn refresh_direct(cx: &mut WriteCx, user: Uuid, friend: Uuid) -> ApiResult<()> {
    if let Some(id) = find_pair(&cx.conn, &pair_key(user, friend))? {
        cx.out.conversation(&cx.conn, id, &[user])?;
    }
    Ok(())
}

/// The 1:1 chat of `a` and `b`, made now if they never had one.
pub(crate) fn direct_between(cx: &mut WriteCx, a: Uuid, b: Uuid) -> ApiResult<Uuid> {
    let key = pair_key(a, b);
    if let Some(id) = find_pair(&cx.conn, &key)? {
        return Ok(id);
    }
    let id = insert_conversation(&cx.conn, ConversationKind::Direct, "", Some(&key))?;
    add_member(&cx.conn, id, a, Role::Member)?;
    add_member(&cx.conn, id, b, Role::Member)?;
    cx.out.conversation(&cx.conn, id, &[a, b])?;
    Ok(id)
}

fn pair_key(a: Uuid, b: Uuid) -> String {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    format!("{x}:{y}")
}

fn insert_conversation(
    c: &Conn,
    kind: ConversationKind,
    title: &str,
    pair: Option<&str>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO conversations (id, kind, title, pair_key, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[&id.to_string(), &kind_str(kind), &title, &pair, &now_ms()],
    )?;
    Ok(id)
}

/// Makes `user` an active member. In a group, someone (re)joining reads from the next message
/// on, and has nothing unread from before; in a direct chat the history stays whole.
fn add_member(c: &Conn, conv: Uuid, user: Uuid, role: Role) -> ApiResult<()> {
    sql::exec(
        c,
        "INSERT INTO members (conversation_id, user_id, role, active, joined_at, history_from, read_seq)
         SELECT $1, $2, $3, 1, $4,
                CASE WHEN kind = 'group' THEN last_seq + 1 ELSE 0 END,
                CASE WHEN kind = 'group' THEN last_seq ELSE 0 END
         FROM conversations WHERE id = $1
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET active = 1, role = excluded.role,
           history_from = CASE WHEN members.active = 1 THEN members.history_from ELSE excluded.history_from END,
           read_seq = CASE WHEN excluded.read_seq > members.read_seq
                          THEN excluded.read_seq ELSE members.read_seq END",
        &[&conv.to_string(), &user.to_string(), &role_str(role), &now_ms()],
    )?;
    Ok(())
}

/// The direct or File Transfer chat with this pair key, if it exists.
fn find_pair(c: &Conn, key: &str) -> ApiResult<Option<Uuid>> {
    let id: Option<String> = sql::one(
        c,
        "SELECT id FROM conversations WHERE pair_key = $1",
        &[&key],
        |r| r.get(0),
    )?;
    id.as_deref().map(parse_uuid).transpose()
}

pub(super) fn named(c: &Conn, user: Uuid) -> ApiResult<Named> {
    Ok(Named {
        id: user,
        name: profile(c, user)?.display_name,
    })
}

pub(super) fn all_named(c: &Conn, users: &[Uuid]) -> ApiResult<Vec<Named>> {
    users.iter().map(|&u| named(c, u)).collect()
}

impl Store {
    /// The direct chat with a friend, created on first use.
    pub async fn open_direct(&self, user: Uuid, other: Uuid) -> ApiResult<Conversation> {
        if user == other {
            return self.self_note(user).await;
        }
        self.write(move |cx| {
            let c = &cx.conn;
            rules::may_open_direct(has_contact(c, user, other)? && has_contact(c, other, user)?)?;
            let conv = direct_between(cx, user, other)?;
            view(&cx.conn, conv, user)
        })
        .await
    }

    /// "File Transfer": the user's chat with their own devices.
    pub async fn self_note(&self, user: Uuid) -> ApiResult<Conversation> {
        self.write(move |cx| {
            let c = &cx.conn;
            let key = user.to_string();
            let conv = match find_pair(c, &key)? {
                Some(id) => id,
                None => {
                    let id = insert_conversation(
                        c,
                        ConversationKind::SelfNote,
                        "File Transfer",
                        Some(&key),
                    )?;
                    add_member(c, id, user, Role::Owner)?;
                    cx.out.conversation(&cx.conn, id, &[user])?;
                    id
                }
            };
            view(&cx.conn, conv, user)
        })
        .await
    }

    pub async fn create_group(
        &self,
        owner: Uuid,
        title: String,
        members: Vec<Uuid>,
    ) -> ApiResult<Conversation> {
        let mut others: Vec<Uuid> = members.into_iter().filter(|m| *m != owner).collect();
        others.sort();
        others.dedup();
        rules::group_size(others.len() + 1)?;
        self.write(move |cx| {
            let c = &cx.conn;
            for &m in &others {
                rules::may_add_to_group(mutual_friends(c, owner, m)?)?;
            }
            let conv = insert_conversation(c, ConversationKind::Group, &title, None)?;
            add_member(c, conv, owner, Role::Owner)?;
            for &m in &others {
                add_member(c, conv, m, Role::Member)?;
            }
            let mut everyone = vec![owner];
            everyone.extend(&others);
            cx.out.conversation(&cx.conn, conv, &everyone)?;
            let event = SystemEvent::GroupCreated {
                by: named(&cx.conn, owner)?,
                with: all_named(&cx.conn, &others)?,
            };
            system(cx, conv, owner, event)?;
            view(&cx.conn, conv, owner)
        })
        .await
    }

    pub async fn update_conversation(
        &self,
        user: Uuid,
        conv: Uuid,
        title: Option<String>,
        announcement: Option<String>,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            rules::may_edit_group(group_role(cx, conv, user, "a name")?)?;
            let who = named(&cx.conn, user)?;
            let id = conv.to_string();
            if let Some(t) = &title {
                sql::exec(
                    &cx.conn,
                    "UPDATE conversations SET title = $1 WHERE id = $2",
                    &[t, &id],
                )?;
                let event = SystemEvent::Renamed {
                    by: who.clone(),
                    title: t.clone(),
                };
                system(cx, conv, user, event)?;
            }
            if let Some(a) = &announcement {
                sql::exec(
                    &cx.conn,
                    "UPDATE conversations SET announcement = $1 WHERE id = $2",
                    &[a, &id],
                )?;
                system(cx, conv, user, SystemEvent::AnnouncementUpdated { by: who })?;
            }
            let members = active_members(&cx.conn, conv)?;
            let change = EventBody::ConversationChanged {
                conversation_id: conv,
                title: title.clone(),
                announcement: announcement.clone(),
            };
            cx.out.append_all(&cx.conn, &members, change)
        })
        .await
    }

    pub async fn add_members(&self, user: Uuid, conv: Uuid, users: Vec<Uuid>) -> ApiResult<()> {
        rules::group_size(users.len() + 1)?;
        self.write(move |cx| {
            rules::may_add_members(group_role(cx, conv, user, "members to add")?)?;
            let before = active_members(&cx.conn, conv)?;
            let mut added: Vec<Uuid> = Vec::new();
            for &u in &users {
                if before.contains(&u) || added.contains(&u) {
                    continue;
                }
                rules::may_add_to_group(mutual_friends(&cx.conn, user, u)?)?;
                added.push(u);
            }
            if added.is_empty() {
                return Ok(());
            }
            rules::group_size(before.len() + added.len())?;
            let mut profiles = Vec::with_capacity(added.len());
            for &u in &added {
                add_member(&cx.conn, conv, u, Role::Member)?;
                profiles.push(Member {
                    user: profile(&cx.conn, u)?,
                    role: Role::Member,
                });
            }
            cx.members.forget(conv);
            let event = SystemEvent::MembersAdded {
                by: named(&cx.conn, user)?,
                users: all_named(&cx.conn, &added)?,
            };
            // Those already in learn who joined; the newcomers get the whole group once.
            let change = EventBody::MembersAdded {
                conversation_id: conv,
                members: profiles,
            };
            cx.out.append_all(&cx.conn, &before, change)?;
            cx.out.conversation(&cx.conn, conv, &added)?;
            system(cx, conv, user, event)
        })
        .await
    }

    /// Removes `target` (or leaves, when `target == user`).
    pub async fn remove_member(&self, user: Uuid, conv: Uuid, target: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            let role = group_role(cx, conv, user, "members to remove")?;
            let leaving = user == target;
            let target_role = match membership(&cx.conn, conv, target)? {
                Some((r, true)) => r,
                _ => {
                    return Err(ApiError::new(
                        ErrorCode::UserNotFound,
                        "That person is not in this group.",
                    ))
                }
            };
            let members = active_members(&cx.conn, conv)?;
            rules::may_remove(role, target_role, leaving, members.len())?;
            // The line goes out while they are still in, so the one leaving sees it too.
            let event = if leaving {
                SystemEvent::Left {
                    user: named(&cx.conn, user)?,
                }
            } else {
                SystemEvent::Removed {
                    by: named(&cx.conn, user)?,
                    user: named(&cx.conn, target)?,
                }
            };
            system(cx, conv, user, event)?;
            sql::exec(
                &cx.conn,
                "UPDATE members SET active = 0 WHERE conversation_id = $1 AND user_id = $2",
                &[&conv.to_string(), &target.to_string()],
            )?;
            cx.members.forget(conv);
            let staying: Vec<Uuid> = members.into_iter().filter(|m| *m != target).collect();
            let change = EventBody::MemberRemoved {
                conversation_id: conv,
                user_id: target,
            };
            cx.out.append_all(&cx.conn, &staying, change)?;
            // The one who left now sees it inactive.
            cx.out.conversation(&cx.conn, conv, &[target])
        })
        .await
    }

    /// Owner hands over ownership (becoming an admin) or sets someone's admin role.
    pub async fn set_role(&self, user: Uuid, conv: Uuid, target: Uuid, new: Role) -> ApiResult<()> {
        self.write(move |cx| {
            let v = cx.members.get(&cx.conn, conv)?;
            let changes = rules::role_changes(
                user,
                v.role_of(user)?,
                target,
                v.members.contains_key(&target),
                new,
            )?;
            for &(u, r) in &changes {
                sql::exec(
                    &cx.conn,
                    "UPDATE members SET role = $1 WHERE conversation_id = $2 AND user_id = $3",
                    &[&role_str(r), &conv.to_string(), &u.to_string()],
                )?;
            }
            cx.members.forget(conv);
            let event = SystemEvent::RoleChanged {
                user: named(&cx.conn, target)?,
                role: new,
            };
            system(cx, conv, user, event)?;
            let members = active_members(&cx.conn, conv)?;
            for (u, role) in changes {
                let change = EventBody::MemberRoleChanged {
                    conversation_id: conv,
                    user_id: u,
                    role,
                };
                cx.out.append_all(&cx.conn, &members, change)?;
            }
            Ok(())
        })
        .await
    }

    pub async fn member_settings(
        &self,
        user: Uuid,
        conv: Uuid,
        pinned: bool,
        muted: bool,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            membership(&cx.conn, conv, user)?.ok_or_else(not_found)?;
            sql::exec(
                &cx.conn,
                "UPDATE members SET pinned = $1, muted = $2 WHERE conversation_id = $3 AND user_id = $4",
                &[&i64::from(pinned), &i64::from(muted), &conv.to_string(), &user.to_string()],
            )?;
            cx.out.conversation(&cx.conn, conv, &[user])
        })
        .await
    }

    pub async fn conversations(&self, user: Uuid) -> ApiResult<Vec<Conversation>> {
        self.reads
            .run(move |c| {
                let ids: Vec<String> = sql::all(
                    c,
                    "SELECT conversation_id FROM members WHERE user_id = $1",
                    &[&user.to_string()],
                    |r| r.get(0),
                )?;
                ids.iter()
                    .map(|id| view(c, parse_uuid(id)?, user))
                    .collect()
            })
            .await
    }
}
