//! Calls: each call's state, changed only by one write at a time (ring, answer, decline,
//! cancel, hang up, the ring's timeout, a device signed out), and the line each ended call leaves
//! in its chat. Who may call whom is decided here, with the friendship and blocks read in the
//! same transaction as the call is written.

use uuid::Uuid;
use xin_proto::{
    Call, CallFailure, CallKind, CallOutcome, CallState, Content, ErrorCode, SendSignal,
};

use super::{
    contacts::{blocked_between, has_contact},
    conversations::direct_between,
    messages::{post, NewMessage},
    parse_uuid,
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

const COLUMNS: &str = "id, caller, caller_device, callee, callee_device, conversation_id, kind, \
     state, voice_only, outcome, failure, created_at, answered_at";

/// How someone ends a call.
#[derive(Debug, Clone, Copy)]
pub enum Ending {
    /// The callee refuses a ringing call.
    Decline,
    /// The caller gives up on a ringing call.
    Cancel,
    /// Either hangs up (a ringing call is then cancelled or declined); with a failure, the
    /// call could not go on for that reason.
    HangUp(Option<CallFailure>),
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::CallNotFound, "No such call.")
}

fn conflict(message: &str) -> ApiError {
    ApiError::new(ErrorCode::CallStateConflict, message.to_owned())
}

fn state_of(s: &str) -> CallState {
    match s {
        "ringing" => CallState::Ringing,
        "active" => CallState::Active,
        _ => CallState::Ended,
    }
}

fn outcome_of(s: &str) -> Option<CallOutcome> {
    Some(match s {
        "completed" => CallOutcome::Completed,
        "cancelled" => CallOutcome::Cancelled,
        "declined" => CallOutcome::Declined,
        "no_answer" => CallOutcome::NoAnswer,
        "busy" => CallOutcome::Busy,
        "failed" => CallOutcome::Failed,
        _ => return None,
    })
}

fn call_from_row(r: &sql::Row) -> ApiResult<Call> {
    let uuid = |col: &str| -> ApiResult<Uuid> { parse_uuid(&r.get::<_, String>(col)?) };
    let callee_device: Option<String> = r.get("callee_device")?;
    let outcome: Option<String> = r.get("outcome")?;
    Ok(Call {
        id: uuid("id")?,
        caller: uuid("caller")?,
        caller_device: uuid("caller_device")?,
        callee: uuid("callee")?,
        callee_device: callee_device.as_deref().map(parse_uuid).transpose()?,
        conversation_id: uuid("conversation_id")?,
        kind: CallKind::parse(&r.get::<_, String>("kind")?).unwrap_or(CallKind::Voice),
        state: state_of(&r.get::<_, String>("state")?),
        voice_only: r.get::<_, i64>("voice_only")? != 0,
        created_at: r.get("created_at")?,
        answered_at: r.get("answered_at")?,
        outcome: outcome.as_deref().and_then(outcome_of),
        ice_servers: Vec::new(),
    })
}

/// The call `id`, locked for this write.
fn load_any(c: &Conn, id: Uuid) -> ApiResult<Option<Call>> {
    sql::lock_row(c, "calls", id)?;
    sql::one(
        c,
        &format!("SELECT {COLUMNS} FROM calls WHERE id = $1"),
        &[&id.to_string()],
        call_from_row,
    )
}

/// The call `id`, locked for this write, if `user` is one of its two people.
fn load(c: &Conn, id: Uuid, user: Uuid) -> ApiResult<Call> {
    load_any(c, id)?
        .filter(|call| call.caller == user || call.callee == user)
        .ok_or_else(not_found)
}

/// Whether `user` is in a call that is not over.
fn in_call(c: &Conn, user: Uuid) -> ApiResult<bool> {
    Ok(sql::one(
        c,
        "SELECT 1 FROM calls WHERE state <> 'ended' AND (caller = $1 OR callee = $1)",
        &[&user.to_string()],
        |_| Ok(()),
    )?
    .is_some())
}

/// Ends `call` with `outcome` and writes its line in the chat (the same for both people).
fn end(
    cx: &mut WriteCx,
    mut call: Call,
    outcome: CallOutcome,
    failure: Option<CallFailure>,
) -> ApiResult<Call> {
    let now = now_ms();
    sql::exec(
        &cx.conn,
        "UPDATE calls SET state = 'ended', outcome = $2, failure = $3, ended_at = $4 WHERE id = $1",
        &[
            &call.id.to_string(),
            &outcome.as_str(),
            &failure.map(CallFailure::as_str),
            &now,
        ],
    )?;
    let duration_secs = match (outcome, call.answered_at) {
        (CallOutcome::Completed, Some(at)) => u32::try_from((now - at).max(0) / 1000).unwrap_or(0),
        _ => 0,
    };
    post(
        cx,
        NewMessage {
            conv: call.conversation_id,
            sender: call.caller,
            device: "system",
            client_id: call.id,
            content: &Content::Call {
                call_id: call.id,
                kind: call.kind,
                outcome,
                duration_secs,
                failure,
            },
            reply_to: None,
        },
    )?;
    call.state = CallState::Ended;
    call.outcome = Some(outcome);
    Ok(call)
}

impl Store {
    /// Rings `callee` from `caller`'s `device`. Friends only, neither blocking the other, and
    /// the caller must not be in a call already. A callee in another call makes the call end at
    /// once as busy.
    pub async fn start_call(
        &self,
        caller: Uuid,
        device: Uuid,
        callee: Uuid,
        kind: CallKind,
    ) -> ApiResult<Call> {
        self.write(move |cx| {
            if caller == callee {
                return Err(ApiError::invalid("callee: one cannot call oneself"));
            }
            let c = &cx.conn;
            if blocked_between(c, caller, callee)? {
                return Err(ApiError::new(
                    ErrorCode::Blocked,
                    "You cannot call this person.",
                ));
            }
            if !(has_contact(c, caller, callee)? && has_contact(c, callee, caller)?) {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "Only friends can call each other: send a friend request first.",
                ));
            }
            // Busy is decided against the calls not over, which this lock orders.
            sql::lock_row(c, "users", caller.min(callee))?;
            sql::lock_row(c, "users", caller.max(callee))?;
            if in_call(c, caller)? {
                return Err(ApiError::new(
                    ErrorCode::InCall,
                    "You are in a call already: hang it up first.",
                ));
            }
            let conversation_id = direct_between(cx, caller, callee)?;
            let call = Call {
                id: Uuid::now_v7(),
                caller,
                caller_device: device,
                callee,
                callee_device: None,
                conversation_id,
                kind,
                state: CallState::Ringing,
                voice_only: kind == CallKind::Voice,
                created_at: now_ms(),
                answered_at: None,
                outcome: None,
                ice_servers: Vec::new(),
            };
            sql::exec(
                &cx.conn,
                "INSERT INTO calls (id, caller, caller_device, callee, conversation_id, kind, state, voice_only, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'ringing', $7, $8)",
                &[
                    &call.id.to_string(),
                    &caller.to_string(),
                    &device.to_string(),
                    &callee.to_string(),
                    &conversation_id.to_string(),
                    &kind.as_str(),
                    &i64::from(call.voice_only),
                    &call.created_at,
                ],
            )?;
            if in_call_other_than(&cx.conn, callee, call.id)? {
                return end(cx, call, CallOutcome::Busy, None);
            }
            Ok(call)
        })
        .await
    }

    /// `user`'s `device` takes the ringing call `id` (the callee's account only; the first
    /// device to answer takes it).
    pub async fn accept_call(
        &self,
        user: Uuid,
        device: Uuid,
        id: Uuid,
        voice_only: bool,
    ) -> ApiResult<Call> {
        self.write(move |cx| {
            let mut call = load(&cx.conn, id, user)?;
            if call.callee != user {
                return Err(conflict("Only the person called can answer."));
            }
            if call.state != CallState::Ringing {
                return Err(conflict(match call.state {
                    CallState::Active => "The call was answered already, on another device.",
                    _ => "The call is over.",
                }));
            }
            call.state = CallState::Active;
            call.callee_device = Some(device);
            call.answered_at = Some(now_ms());
            call.voice_only |= voice_only;
            sql::exec(
                &cx.conn,
                "UPDATE calls SET state = 'active', callee_device = $2, answered_at = $3, voice_only = $4
                 WHERE id = $1",
                &[
                    &id.to_string(),
                    &device.to_string(),
                    &call.answered_at,
                    &i64::from(call.voice_only),
                ],
            )?;
            Ok(call)
        })
        .await
    }

    /// Turns the answered video call `id` into a voice call (either device in it): both stop
    /// sending pictures.
    pub async fn switch_to_voice(&self, user: Uuid, device: Uuid, id: Uuid) -> ApiResult<Call> {
        self.write(move |cx| {
            let mut call = load(&cx.conn, id, user)?;
            if device != call.caller_device && Some(device) != call.callee_device {
                return Err(conflict("This device is not in the call."));
            }
            if call.state != CallState::Active {
                return Err(conflict("Only a call in progress can switch to voice."));
            }
            if call.kind == CallKind::Voice || call.voice_only {
                return Ok(call);
            }
            call.voice_only = true;
            sql::exec(
                &cx.conn,
                "UPDATE calls SET voice_only = 1 WHERE id = $1",
                &[&id.to_string()],
            )?;
            Ok(call)
        })
        .await
    }

    /// Ends the call `id` by `user`, the way `how` says.
    pub async fn end_call(&self, user: Uuid, id: Uuid, how: Ending) -> ApiResult<Call> {
        self.write(move |cx| {
            let call = load(&cx.conn, id, user)?;
            let ringing = call.state == CallState::Ringing;
            let caller = user == call.caller;
            let (outcome, failure) = match (call.state, how) {
                (CallState::Ended, _) => return Err(conflict("The call is over.")),
                (_, Ending::Decline) if !ringing || caller => {
                    return Err(conflict(
                        "Only the person called can decline a ringing call.",
                    ))
                }
                (_, Ending::Cancel) if !ringing || !caller => {
                    return Err(conflict("Only the caller can cancel a ringing call."))
                }
                (_, Ending::Decline) => (CallOutcome::Declined, None),
                (_, Ending::Cancel) => (CallOutcome::Cancelled, None),
                (_, Ending::HangUp(Some(failure))) => (CallOutcome::Failed, Some(failure)),
                (CallState::Active, Ending::HangUp(None)) => (CallOutcome::Completed, None),
                (_, Ending::HangUp(None)) if caller => (CallOutcome::Cancelled, None),
                (_, Ending::HangUp(None)) => (CallOutcome::Declined, None),
            };
            end(cx, call, outcome, failure)
        })
        .await
    }

    /// Ends every call ringing since before `cutoff_ms` as not answered.
    pub async fn expire_rings(&self, cutoff_ms: i64) -> ApiResult<Vec<Call>> {
        self.ended_where(
            "state = 'ringing' AND created_at < $1",
            Box::new(cutoff_ms),
            move |call| call.state == CallState::Ringing && call.created_at < cutoff_ms,
            (CallOutcome::NoAnswer, None),
        )
        .await
    }

    /// Ends the calls `device` is in (it was signed out): they cannot go on without it.
    pub async fn end_calls_of_device(&self, device: Uuid) -> ApiResult<Vec<Call>> {
        self.ended_where(
            "state <> 'ended' AND (caller_device = $1 OR callee_device = $1)",
            Box::new(device.to_string()),
            |call| call.state != CallState::Ended,
            (CallOutcome::Failed, Some(CallFailure::SignedOut)),
        )
        .await
    }

    /// Ends the calls `filter` finds, each locked and checked again with `still` (another node
    /// may have ended or answered it in between).
    async fn ended_where(
        &self,
        filter: &'static str,
        arg: Box<dyn sql::Param + Send>,
        still: impl Fn(&Call) -> bool + Send + 'static,
        (outcome, failure): (CallOutcome, Option<CallFailure>),
    ) -> ApiResult<Vec<Call>> {
        self.write(move |cx| {
            let found = sql::all(
                &cx.conn,
                &format!("SELECT id FROM calls WHERE {filter}"),
                &[arg.as_ref() as &dyn sql::Param],
                |r| parse_uuid(&r.get::<_, String>(0)?),
            )?;
            let mut ended = Vec::new();
            for id in found {
                let call = load_any(&cx.conn, id)?;
                if let Some(call) = call.filter(|c| still(c)) {
                    ended.push(end(cx, call, outcome, failure)?);
                }
            }
            Ok(ended)
        })
        .await
    }

    /// The calls of `user` not over: what a device that connects while one rings is told.
    pub async fn live_calls(&self, user: Uuid) -> ApiResult<Vec<Call>> {
        self.reads
            .run(move |c| {
                sql::all(
                    c,
                    &format!(
                        "SELECT {COLUMNS} FROM calls
                         WHERE state <> 'ended' AND (caller = $1 OR callee = $1)"
                    ),
                    &[&user.to_string()],
                    call_from_row,
                )
            })
            .await
    }

    /// Where `user`'s `device` sends a signal in call `id`: the other device of the answered
    /// call (its user and device id).
    pub async fn signal_peer(
        &self,
        user: Uuid,
        device: Uuid,
        id: Uuid,
        signal: &SendSignal,
    ) -> ApiResult<(Uuid, Uuid)> {
        if signal.signal.len() > xin_proto::MAX_SIGNAL_BYTES {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "signal: at most {} bytes of SDP or candidate",
                    xin_proto::MAX_SIGNAL_BYTES
                ),
            ));
        }
        let call = self
            .reads
            .run(move |c| {
                sql::one(
                    c,
                    &format!("SELECT {COLUMNS} FROM calls WHERE id = $1"),
                    &[&id.to_string()],
                    call_from_row,
                )
            })
            .await?
            .filter(|call| call.caller == user || call.callee == user)
            .ok_or_else(not_found)?;
        if call.state != CallState::Active {
            return Err(conflict(
                "Signals go only between the two devices of an answered call.",
            ));
        }
        match call.callee_device {
            Some(callee_device) if device == call.caller_device => Ok((call.callee, callee_device)),
            Some(callee_device) if device == callee_device => Ok((call.caller, call.caller_device)),
            _ => Err(conflict("This device is not in the call.")),
        }
    }
}

/// Whether `user` is in a call that is not over, other than `call`.
fn in_call_other_than(c: &Conn, user: Uuid, call: Uuid) -> ApiResult<bool> {
    Ok(sql::one(
        c,
        "SELECT 1 FROM calls WHERE state <> 'ended' AND id <> $2 AND (caller = $1 OR callee = $1)",
        &[&user.to_string(), &call.to_string()],
        |_| Ok(()),
    )?
    .is_some())
}
