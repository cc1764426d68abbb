//! Money: where transfers and red envelopes may go, who may take them, and how payment PIN
//! tries are counted.

use uuid::Uuid;
use xin_proto::{ChargeState, ConversationKind, ErrorCode, MoneyTransferState};

use super::conversations::DirectState;
use crate::error::{ApiError, ApiResult};

/// What a PIN try may do, judged from the PIN's record before it is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum PinTry {
    /// Earlier failures' delay still runs.
    Locked {
        /// How long until the next try, in milliseconds.
        wait_ms: i64,
    },
    /// The try may be checked. It counts as a failure until it proves right, so parallel
    /// guesses each see the ones claimed before them.
    Claimed {
        /// Failures counted, this try included.
        failures: i64,
        /// When the next try may come if this one is wrong.
        next_try_at: i64,
    },
}

/// Claims a PIN try: refused while the delay from earlier failures runs (`delay_ms` says how
/// long `failures` failures wait).
pub fn claim_pin_try(
    failures: i64,
    next_try_at: i64,
    now: i64,
    delay_ms: fn(i64) -> i64,
) -> PinTry {
    if next_try_at > now {
        return PinTry::Locked {
            wait_ms: next_try_at - now,
        };
    }
    let failures = failures + 1;
    PinTry::Claimed {
        failures,
        next_try_at: now + delay_ms(failures),
    }
}

/// A transfer goes to one friend, in the direct chat with them.
pub fn transfer_destination(kind: ConversationKind, direct: Option<DirectState>) -> ApiResult<()> {
    if kind != ConversationKind::Direct {
        return Err(ApiError::invalid(
            "conversation_id: transfers go to one friend, in your direct chat",
        ));
    }
    super::conversations::may_reach(direct, "You can only send money to friends.")
}

/// What answering a transfer does: only its recipient answers; accepting after its time sends
/// it back instead.
pub fn transfer_answer(
    is_recipient: bool,
    accept: bool,
    now: i64,
    expires_at: i64,
) -> ApiResult<MoneyTransferState> {
    if !is_recipient {
        return Err(ApiError::new(
            ErrorCode::NotAllowed,
            "Only the person it was sent to can accept or decline a transfer.",
        ));
    }
    Ok(if !accept {
        MoneyTransferState::Declined
    } else if now >= expires_at {
        MoneyTransferState::Refunded
    } else {
        MoneyTransferState::Accepted
    })
}

/// The answer's outcome: `settled` says whether it moved the transfer (it was still pending).
pub fn transfer_settled(to: MoneyTransferState, settled: bool) -> ApiResult<()> {
    match (settled, to) {
        (true, MoneyTransferState::Refunded) => Err(ApiError::new(
            ErrorCode::TransferSettled,
            "This transfer was not accepted within 24 hours and went back to the sender.",
        )),
        (true, _) => Ok(()),
        (false, _) => Err(ApiError::new(
            ErrorCode::TransferSettled,
            "This transfer was already accepted, declined or returned.",
        )),
    }
}

/// A red envelope goes to a friend (one share) or a group, never to File Transfer.
pub fn envelope_destination(
    kind: ConversationKind,
    direct: Option<DirectState>,
    shares: u32,
) -> ApiResult<()> {
    if kind == ConversationKind::Direct && shares != 1 {
        return Err(ApiError::invalid(
            "shares: a red envelope in a direct chat has one share",
        ));
    }
    if kind == ConversationKind::SelfNote {
        return Err(ApiError::invalid(
            "conversation_id: red envelopes go to a friend or a group",
        ));
    }
    if direct.is_some_and(|d| d != DirectState::Open) {
        return Err(ApiError::new(
            ErrorCode::NotFriends,
            "You can only send red envelopes to friends.",
        ));
    }
    Ok(())
}

/// What is known about a grab: the envelope, and who grabs.
pub struct Grab {
    /// The chat it was sent in.
    pub kind: ConversationKind,
    /// The one grabbing sent it.
    pub by_sender: bool,
    /// The one grabbing already has a share.
    pub already_grabbed: bool,
    /// Shares are left and its time has not run out.
    pub open: bool,
}

/// One share each; in a direct chat the envelope is the other person's.
pub fn may_grab(g: &Grab) -> ApiResult<()> {
    if g.kind == ConversationKind::Direct && g.by_sender {
        return Err(ApiError::new(
            ErrorCode::NotAllowed,
            "This red envelope is for the other person.",
        ));
    }
    if g.already_grabbed {
        return Err(ApiError::new(
            ErrorCode::AlreadyGrabbed,
            "You already opened this red envelope.",
        ));
    }
    if !g.open {
        return Err(envelope_empty());
    }
    Ok(())
}

/// Every share is taken, or the envelope's time ran out.
pub fn envelope_empty() -> ApiError {
    ApiError::new(
        ErrorCode::EnvelopeEmpty,
        "Too late: this red envelope is empty.",
    )
}

/// Nobody pays themselves (by payment code, receive code or mini-program order).
pub fn not_to_self(payer: Uuid, payee: Uuid) -> ApiResult<()> {
    if payer == payee {
        return Err(ApiError::new(
            ErrorCode::SelfPayment,
            "You cannot pay yourself.",
        ));
    }
    Ok(())
}

/// A payment-code charge goes through without the payer's PIN only while it is small: at most
/// `per_charge_fen`, with the day's PIN-less total (`spent_today_fen` before it) within
/// `per_day_fen`. Otherwise the payer confirms it with their PIN.
pub fn without_pin(
    amount_fen: i64,
    spent_today_fen: i64,
    per_charge_fen: i64,
    per_day_fen: i64,
) -> bool {
    amount_fen <= per_charge_fen && spent_today_fen + amount_fen <= per_day_fen
}

/// What confirming a charge does.
#[derive(Debug, PartialEq, Eq)]
pub enum Confirm {
    /// It is pending: pay it now.
    Pay,
    /// It was paid: a retry, answered with that payment.
    Replay,
}

/// A pending charge is paid, a paid one replayed; a declined or expired one paid nothing.
pub fn confirm_charge(state: ChargeState) -> ApiResult<Confirm> {
    match state {
        ChargeState::Pending => Ok(Confirm::Pay),
        ChargeState::Paid => Ok(Confirm::Replay),
        ChargeState::Declined | ChargeState::Expired => Err(ApiError::new(
            ErrorCode::PaymentCodeInvalid,
            "This charge was declined or has expired; nothing was paid.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::refusal;

    #[test]
    fn a_pin_try_is_counted_before_it_is_checked_and_refused_while_the_delay_runs() {
        let delay = |failures: i64| if failures >= 3 { 60_000 } else { 0 };
        assert_eq!(
            claim_pin_try(0, 0, 1_000, delay),
            PinTry::Claimed {
                failures: 1,
                next_try_at: 1_000
            }
        );
        assert_eq!(
            claim_pin_try(2, 0, 1_000, delay),
            PinTry::Claimed {
                failures: 3,
                next_try_at: 61_000
            }
        );
        assert_eq!(
            claim_pin_try(3, 61_000, 1_000, delay),
            PinTry::Locked { wait_ms: 60_000 }
        );
    }

    #[test]
    fn transfers_go_to_a_friend_in_the_direct_chat() {
        assert!(transfer_destination(ConversationKind::Direct, Some(DirectState::Open)).is_ok());
        assert_eq!(
            refusal(transfer_destination(ConversationKind::Group, None)),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            refusal(transfer_destination(
                ConversationKind::Direct,
                Some(DirectState::Blocked)
            )),
            Some(ErrorCode::Blocked)
        );
        assert_eq!(
            refusal(transfer_destination(
                ConversationKind::Direct,
                Some(DirectState::NotFriends)
            )),
            Some(ErrorCode::NotFriends)
        );
    }

    #[test]
    fn only_the_recipient_answers_and_a_late_accept_sends_it_back() {
        assert_eq!(
            transfer_answer(true, true, 5, 10).ok(),
            Some(MoneyTransferState::Accepted)
        );
        assert_eq!(
            transfer_answer(true, true, 10, 10).ok(),
            Some(MoneyTransferState::Refunded)
        );
        assert_eq!(
            transfer_answer(true, false, 50, 10).ok(),
            Some(MoneyTransferState::Declined)
        );
        assert_eq!(
            refusal(transfer_answer(false, true, 5, 10)),
            Some(ErrorCode::NotAllowed)
        );
        assert!(transfer_settled(MoneyTransferState::Accepted, true).is_ok());
        assert_eq!(
            refusal(transfer_settled(MoneyTransferState::Refunded, true)),
            Some(ErrorCode::TransferSettled)
        );
        assert_eq!(
            refusal(transfer_settled(MoneyTransferState::Accepted, false)),
            Some(ErrorCode::TransferSettled)
        );
    }

    #[test]
    fn red_envelopes_go_to_friends_and_groups_one_share_each() {
        assert!(envelope_destination(ConversationKind::Direct, Some(DirectState::Open), 1).is_ok());
        assert!(envelope_destination(ConversationKind::Group, None, 10).is_ok());
        assert_eq!(
            refusal(envelope_destination(
                ConversationKind::Direct,
                Some(DirectState::Open),
                2
            )),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            refusal(envelope_destination(ConversationKind::SelfNote, None, 1)),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            refusal(envelope_destination(
                ConversationKind::Direct,
                Some(DirectState::Blocked),
                1
            )),
            Some(ErrorCode::NotFriends)
        );
        let grab = |kind, by_sender, already_grabbed, open| Grab {
            kind,
            by_sender,
            already_grabbed,
            open,
        };
        assert!(may_grab(&grab(ConversationKind::Group, true, false, true)).is_ok());
        assert_eq!(
            refusal(may_grab(&grab(ConversationKind::Direct, true, false, true))),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            refusal(may_grab(&grab(ConversationKind::Group, false, true, true))),
            Some(ErrorCode::AlreadyGrabbed)
        );
        assert_eq!(
            refusal(may_grab(&grab(
                ConversationKind::Group,
                false,
                false,
                false
            ))),
            Some(ErrorCode::EnvelopeEmpty)
        );
    }

    #[test]
    fn nobody_pays_themselves() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(not_to_self(a, b).is_ok());
        assert_eq!(refusal(not_to_self(a, a)), Some(ErrorCode::SelfPayment));
    }

    #[test]
    fn small_charges_skip_the_pin_until_the_days_allowance_is_spent() {
        assert!(without_pin(1_000, 0, 1_000, 5_000));
        assert!(!without_pin(1_001, 0, 1_000, 5_000));
        assert!(without_pin(1_000, 4_000, 1_000, 5_000));
        assert!(!without_pin(1_000, 4_001, 1_000, 5_000));
    }

    #[test]
    fn a_charge_is_confirmed_once_and_a_retry_replays_it() {
        assert_eq!(
            confirm_charge(ChargeState::Pending).ok(),
            Some(Confirm::Pay)
        );
        assert_eq!(
            confirm_charge(ChargeState::Paid).ok(),
            Some(Confirm::Replay)
        );
        assert_eq!(
            refusal(confirm_charge(ChargeState::Declined)),
            Some(ErrorCode::PaymentCodeInvalid)
        );
        assert_eq!(
            refusal(confirm_charge(ChargeState::Expired)),
            Some(ErrorCode::PaymentCodeInvalid)
        );
    }
}
