//! Friends: who may ask whom, and who answers a request.

use xin_proto::ErrorCode;

use crate::error::{ApiError, ApiResult};

/// A friend request goes to someone else, who neither blocks nor is blocked by the asker and is
/// not a friend already.
pub fn may_ask(to_self: bool, blocked: bool, already_friends: bool) -> ApiResult<()> {
    if to_self {
        return Err(ApiError::invalid("You cannot add yourself."));
    }
    if blocked {
        return Err(ApiError::new(
            ErrorCode::Blocked,
            "You cannot add this person.",
        ));
    }
    if already_friends {
        return Err(ApiError::new(
            ErrorCode::AlreadyFriends,
            "You are already friends.",
        ));
    }
    Ok(())
}

/// No such friend request, as far as this user may know.
pub fn request_not_found() -> ApiError {
    ApiError::new(ErrorCode::RequestNotFound, "No such friend request.")
}

/// Only the person asked answers, once. To anyone else the request does not exist.
pub fn may_answer(addressed_to_me: bool, pending: bool) -> ApiResult<()> {
    if !addressed_to_me {
        return Err(request_not_found());
    }
    if !pending {
        return Err(ApiError::new(
            ErrorCode::RequestNotFound,
            "This request was already answered.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::refusal;

    #[test]
    fn who_may_ask_whom() {
        assert_eq!(refusal(may_ask(false, false, false)), None);
        assert_eq!(
            refusal(may_ask(true, false, false)),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            refusal(may_ask(false, true, false)),
            Some(ErrorCode::Blocked)
        );
        assert_eq!(
            refusal(may_ask(false, false, true)),
            Some(ErrorCode::AlreadyFriends)
        );
        // Blocking is said before friendship: a blocked friend cannot re-add.
        assert_eq!(
            refusal(may_ask(false, true, true)),
            Some(ErrorCode::Blocked)
        );
    }

    #[test]
    fn only_the_person_asked_answers_and_only_once() {
        assert_eq!(refusal(may_answer(true, true)), None);
        assert_eq!(
            refusal(may_answer(false, true)),
            Some(ErrorCode::RequestNotFound)
        );
        assert_eq!(
            refusal(may_answer(true, false)),
            Some(ErrorCode::RequestNotFound)
        );
    }
}
