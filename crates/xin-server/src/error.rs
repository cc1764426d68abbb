use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use xin_proto::{ErrorBody, ErrorCode};

/// Every way a request can fail. Internals are logged, never sent to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{1}")]
    Client(ErrorCode, String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Client(code, message.into())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Client(code, _) => *code,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        InvalidRequest | WrongCode => StatusCode::BAD_REQUEST,
        UserNotFound | RequestNotFound | ConversationNotFound | MessageNotFound
        | UploadNotFound | BlobNotFound => StatusCode::NOT_FOUND,
        AlreadyFriends | GroupFull | OffsetMismatch => StatusCode::CONFLICT,
        CallNotFound => StatusCode::NOT_FOUND,
        CallStateConflict | InCall => StatusCode::CONFLICT,
        ChecksumMismatch => StatusCode::from_u16(xin_proto::CHECKSUM_MISMATCH_STATUS)
            .unwrap_or(StatusCode::BAD_REQUEST),
        HashMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        QuotaExceeded => StatusCode::INSUFFICIENT_STORAGE,
        Blocked | NotFriends | NotAllowed => StatusCode::FORBIDDEN,
        RecallWindowPassed => StatusCode::GONE,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        NotFound | TicketNotFound | DeviceNotFound => StatusCode::NOT_FOUND,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        HandleTaken | PhoneTaken | TicketUsed => StatusCode::CONFLICT,
        InvalidCredentials | Unauthorized | TokenExpired | SessionRevoked | SessionExpired
        | LinkExpired => StatusCode::UNAUTHORIZED,
        WrongPollSecret | DeviceNotRemembered => StatusCode::FORBIDDEN,
        TicketExpired | TicketDeclined => StatusCode::GONE,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
        CardNotFound
        | TransferNotFound
        | EnvelopeNotFound
        | PostNotFound
        | CommentNotFound
        | OfficialAccountNotFound
        | ArticleNotFound => StatusCode::NOT_FOUND,
        BroadcastLimit => StatusCode::TOO_MANY_REQUESTS,
        ReplyWindowClosed | NotFollowing => StatusCode::FORBIDDEN,
        IdempotencyConflict | TransferSettled | AlreadyGrabbed => StatusCode::CONFLICT,
        EnvelopeEmpty | PaymentCodeInvalid | QrCodeExpired => StatusCode::GONE,
        SelfPayment => StatusCode::UNPROCESSABLE_ENTITY,
        PhoneOnly => StatusCode::FORBIDDEN,
        InsufficientFunds | PinNotSet | CardDeclined => StatusCode::UNPROCESSABLE_ENTITY,
        WrongPin => StatusCode::FORBIDDEN,
        PinLocked => StatusCode::TOO_MANY_REQUESTS,
        MiniProgramNotFound | OrderNotFound | ChargeNotFound => StatusCode::NOT_FOUND,
        InvalidPackage => StatusCode::UNPROCESSABLE_ENTITY,
        VersionExists => StatusCode::CONFLICT,
        LoginCodeInvalid => StatusCode::GONE,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, message) = match self {
            Self::Client(code, message) => (code, message),
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    ErrorCode::Internal,
                    "Something went wrong on the server. Please try again.".to_string(),
                )
            }
        };
        let mut response = (status_of(code), Json(ErrorBody::new(code, message))).into_response();
        // For the metrics' count of answers by code (see `metrics`).
        response.extensions_mut().insert(code);
        if code == ErrorCode::RateLimited {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("60"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use axum::{body::to_bytes, response::IntoResponse};

    /// An internal error's cause is for the log: the client gets the code `internal` and a
    /// sentence, never the detail (a path, a SQL error, another user's id).
    #[tokio::test]
    async fn an_internal_error_answers_without_its_cause() -> Result<(), Box<dyn std::error::Error>>
    {
        let cause = "store: no such table: /var/lib/xin/secret_ledger";
        let response = ApiError::Internal(cause.into()).into_response();
        assert_eq!(response.status(), 500);
        let body = to_bytes(response.into_body(), 4096).await?;
        let body = String::from_utf8(body.to_vec())?;
        assert!(body.contains(r#""code":"internal""#), "{body}");
        assert!(
            !body.contains("secret_ledger") && !body.contains("store:"),
            "{body}"
        );
        Ok(())
    }
}
