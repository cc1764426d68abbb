//! Official accounts: what only the owner does, how often an account broadcasts, and when it
//! may write to a follower.

use xin_proto::{ErrorCode, OfficialKind, SERVICE_WINDOW_HOURS};

use crate::error::{ApiError, ApiResult};

/// The console's work (writing, sending, reading chats, settings) is the owner's.
pub fn owner_only(mine: bool) -> ApiResult<()> {
    if !mine {
        return Err(ApiError::new(
            ErrorCode::NotAllowed,
            "Only the account's owner can do that.",
        ));
    }
    Ok(())
}

/// A follower's chat with the account is read by the follower, or by the account's owner.
pub fn may_read_chat(someone_elses: bool, mine: bool) -> ApiResult<()> {
    if someone_elses && !mine {
        return Err(ApiError::new(
            ErrorCode::NotAllowed,
            "Only the account's owner reads its chats.",
        ));
    }
    Ok(())
}

/// A subscription account sends one broadcast a (UTC) day; a service account's limit is per
/// follower and month, applied when choosing recipients.
pub fn may_broadcast(kind: OfficialKind, sent_today: bool) -> ApiResult<()> {
    if kind == OfficialKind::Subscription && sent_today {
        return Err(ApiError::new(
            ErrorCode::BroadcastLimit,
            "A subscription account sends one broadcast a day; try again tomorrow (UTC).",
        ));
    }
    Ok(())
}

/// Only followers can be written to.
pub fn not_following() -> ApiError {
    ApiError::new(
        ErrorCode::NotFollowing,
        "Follow the account to chat with it.",
    )
}

/// The account answers a follower only while they follow, and within the service window after
/// their last message.
pub fn may_answer(follows: bool, in_window: bool) -> ApiResult<()> {
    if !follows {
        return Err(not_following());
    }
    if !in_window {
        return Err(ApiError::new(
            ErrorCode::ReplyWindowClosed,
            format!(
                "You can write to a follower within {SERVICE_WINDOW_HOURS} hours of their last message."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::refusal;

    #[test]
    fn the_console_is_the_owners() {
        assert_eq!(refusal(owner_only(true)), None);
        assert_eq!(refusal(owner_only(false)), Some(ErrorCode::NotAllowed));
        assert_eq!(refusal(may_read_chat(false, false)), None);
        assert_eq!(refusal(may_read_chat(true, true)), None);
        assert_eq!(
            refusal(may_read_chat(true, false)),
            Some(ErrorCode::NotAllowed)
        );
    }

    #[test]
    fn a_subscription_account_broadcasts_once_a_day() {
        assert_eq!(
            refusal(may_broadcast(OfficialKind::Subscription, false)),
            None
        );
        assert_eq!(
            refusal(may_broadcast(OfficialKind::Subscription, true)),
            Some(ErrorCode::BroadcastLimit)
        );
        assert_eq!(refusal(may_broadcast(OfficialKind::Service, true)), None);
    }

    #[test]
    fn an_account_answers_followers_within_the_window() {
        assert_eq!(refusal(may_answer(true, true)), None);
        assert_eq!(
            refusal(may_answer(false, true)),
            Some(ErrorCode::NotFollowing)
        );
        assert_eq!(
            refusal(may_answer(true, false)),
            Some(ErrorCode::ReplyWindowClosed)
        );
    }
}
