use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// Stable, machine-readable error codes. The string form is part of the public API: never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or parameters were malformed or failed validation.
    InvalidRequest,
    /// The request body is larger than the route accepts.
    PayloadTooLarge,
    /// The route does not exist.
    NotFound,
    /// The HTTP method is not allowed on this route.
    MethodNotAllowed,
    /// The handle is already used by another account.
    HandleTaken,
    /// The phone number is already used by another account.
    PhoneTaken,
    /// Handle/phone and password do not match.
    InvalidCredentials,
    /// No or an unknown access token.
    Unauthorized,
    /// The access token has expired; refresh it.
    TokenExpired,
    /// The session or device was signed out.
    SessionRevoked,
    /// The session reached its absolute lifetime: sign in again.
    SessionExpired,
    /// Too many attempts; wait and retry.
    RateLimited,
    /// The server is at its bound for this kind of work; try again in a moment.
    ServerBusy,
    /// The login ticket does not exist.
    TicketNotFound,
    /// The login ticket expired before it was confirmed.
    TicketExpired,
    /// The login ticket was already confirmed or scanned by someone else.
    TicketUsed,
    /// The login ticket was declined on the phone.
    TicketDeclined,
    /// The poll secret does not belong to this ticket.
    WrongPollSecret,
    /// The code picked on the phone is not the one the computer shows; the ticket is declined.
    WrongCode,
    /// The device is not remembered by this account (or was signed out from elsewhere).
    DeviceNotRemembered,
    /// The device does not exist or is not yours.
    DeviceNotFound,
    /// The user does not exist.
    UserNotFound,
    /// You are already friends.
    AlreadyFriends,
    /// The friend request does not exist or is not addressed to you.
    RequestNotFound,
    /// The other person blocked you, or you blocked them.
    Blocked,
    /// You can only message friends.
    NotFriends,
    /// The conversation does not exist or you are not (or no longer) a member.
    ConversationNotFound,
    /// Only the owner or an admin may do this.
    NotAllowed,
    /// The message does not exist in this conversation.
    MessageNotFound,
    /// Messages can be recalled only within 2 minutes.
    RecallWindowPassed,
    /// A group holds at most 500 members.
    GroupFull,
    /// The payment-code charge does not exist, or is not yours.
    ChargeNotFound,
    /// The upload does not exist, is not yours, or was finished or abandoned.
    UploadNotFound,
    /// The chunk's `Upload-Offset` is not the verified offset: ask for it (HEAD) and resume there.
    OffsetMismatch,
    /// The chunk's BLAKE3 does not match its bytes; nothing of it was kept, send it again.
    ChecksumMismatch,
    /// The whole file's BLAKE3 is not the one announced; the upload was discarded.
    HashMismatch,
    /// The file is larger than the server accepts.
    FileTooLarge,
    /// This account's storage is full.
    QuotaExceeded,
    /// The file does not exist or you may not download it.
    BlobNotFound,
    /// Not enough money in the wallet.
    InsufficientFunds,
    /// An idempotency key already used for a different request.
    IdempotencyConflict,
    /// The wallet's payment PIN is not set yet.
    PinNotSet,
    /// The payment PIN is wrong (a try was counted).
    WrongPin,
    /// Too many wrong PINs: wait before the next try (the message says how long).
    PinLocked,
    /// No such bank card on this wallet.
    CardNotFound,
    /// The bank refused the card.
    CardDeclined,
    /// No such money transfer, or not yours.
    TransferNotFound,
    /// The transfer was accepted, declined or refunded already.
    TransferSettled,
    /// No such red envelope, or not in your chat.
    EnvelopeNotFound,
    /// Every share is gone, or the envelope's time is up.
    EnvelopeEmpty,
    /// One grab per person.
    AlreadyGrabbed,
    /// A payment code that is unknown, used, expired, or whose device signed out.
    PaymentCodeInvalid,
    /// Paying oneself.
    SelfPayment,
    /// This can only be done on the phone.
    PhoneOnly,
    /// No such post, or not one I may see.
    PostNotFound,
    /// No such comment, or not one I may see.
    CommentNotFound,
    /// No such official account.
    OfficialAccountNotFound,
    /// No such article, or not one of this account's.
    ArticleNotFound,
    /// The account's broadcast allowance is used up (one a day, or four a month per follower).
    BroadcastLimit,
    /// Staff may write to a follower only within 48 hours of the follower's last message.
    ReplyWindowClosed,
    /// Only followers can chat with an account.
    NotFollowing,
    /// An official account's QR code that expired (or never existed).
    QrCodeExpired,
    /// No such mini-program, or none of this publisher's.
    MiniProgramNotFound,
    /// A mini-program package that is not a valid zip with a valid `app.json`, or too large.
    InvalidPackage,
    /// This version of the mini-program was already published.
    VersionExists,
    /// A mini-program login code that is unknown, used or older than 5 minutes.
    LoginCodeInvalid,
    /// No such mini-program order (for this mini-program or this payer).
    OrderNotFound,
    /// A file's signed link is past its time (or names a time too far ahead); make a new one.
    LinkExpired,
    /// No such call, or not one of this user's.
    CallNotFound,
    /// The call is not in a state that allows this (answered already, over, not yet answered).
    CallStateConflict,
    /// This user is in another call already.
    InCall,
    /// Something went wrong on the server; details are in its log, never in the answer.
    Internal,
}

/// The body of every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// A sentence a person can read.
    pub message: String,
}

impl ErrorBody {
    /// An error detail with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
            },
        }
    }
}
