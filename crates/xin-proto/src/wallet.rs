//! The wallet: balances, bills, top-up and withdrawal through a bank, transfers between friends
//! and the payment PIN. Money is always `i64` fen (1 yuan = 100 fen), never a float.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Largest single amount anyone may move at once: ¥50 000.
pub const MAX_AMOUNT_FEN: i64 = 5_000_000;

/// `GET /api/v1/wallet`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Wallet {
    /// The balance, in fen.
    #[ts(type = "number")]
    pub balance_fen: i64,
    /// A payment PIN is set.
    pub has_pin: bool,
    /// Bank cards added.
    pub cards: Vec<BankCard>,
}

/// A card of the bank provider. In this build the provider is Xin's **sandbox bank**: no real
/// money moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct BankCard {
    /// The card's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The bank's name.
    pub bank: String,
    /// The card number's last four digits.
    pub last4: String,
    /// A test card of the sandbox bank.
    pub sandbox: bool,
}

/// `POST /api/v1/wallet/cards`: add a sandbox card (a 16–19 digit number passing the Luhn check).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AddCard {
    /// The card number.
    #[schema(pattern = "^[0-9 ]{16,23}$")]
    pub number: String,
}

/// `PUT /api/v1/wallet/pin`: set the 6-digit payment PIN; changing it needs the old one.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SetPin {
    /// The new PIN, six digits.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
    /// The current PIN, when changing it.
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub old_pin: Option<String>,
}

/// `POST /api/v1/wallet/top-up` (no PIN: money comes in) and `POST /api/v1/wallet/withdraw`
/// (PIN required).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct BankMove {
    /// Chosen by the client, once per intended movement: a retry with the same key returns the
    /// first result and moves nothing again.
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    /// The bank card.
    #[ts(type = "string")]
    pub card_id: Uuid,
    /// How much, in fen.
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    /// The payment PIN (withdrawals).
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: Option<String>,
}

/// `POST /api/v1/wallet/transfers`: money to a friend in a direct chat, held until they accept.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendTransfer {
    /// The sender's key for this send: a retry with the same key gets the first answer.
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    /// The direct chat it goes to.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// How much, in fen.
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    /// The sender's note.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub note: String,
    /// The sender's payment PIN.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

/// Where a money transfer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MoneyTransferState {
    /// Waiting for the recipient.
    Pending,
    /// Accepted: the money is theirs.
    Accepted,
    /// Declined: the money went back.
    Declined,
    /// Not accepted within 24 hours: back with the sender.
    Refunded,
}

/// A transfer as both sides see it (the chat card reads its state from here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MoneyTransfer {
    /// The transfer's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The chat it was sent in.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// Who sent it.
    #[ts(type = "string")]
    pub sender_id: Uuid,
    /// Who gets it.
    #[ts(type = "string")]
    pub recipient_id: Uuid,
    /// How much, in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// The sender's note.
    pub note: String,
    /// Pending, accepted, declined or refunded.
    pub state: MoneyTransferState,
    /// When it was sent (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it goes back unless accepted (Unix ms).
    #[ts(type = "number")]
    pub expires_at: i64,
    /// When it was accepted, declined or refunded (Unix ms).
    #[ts(type = "number | null")]
    pub resolved_at: Option<i64>,
}

/// What a bill line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillKind {
    /// Money in from a bank card.
    TopUp,
    /// Money out to a bank card.
    Withdrawal,
    /// A transfer I sent.
    TransferOut,
    /// A transfer I accepted.
    TransferIn,
    /// A transfer of mine that came back.
    TransferRefund,
    /// A red envelope I sent.
    EnvelopeSent,
    /// A share I grabbed.
    EnvelopeGrabbed,
    /// What was left of my envelope, back.
    EnvelopeReturned,
    /// I paid someone by scanning their receive code, or a merchant scanned my payment code.
    PaymentOut,
    /// Someone paid me (my receive code, or my payment code scanner as a merchant).
    PaymentIn,
}

/// One line of my bills: a ledger transaction as it touched my wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Bill {
    /// The bill's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// What kind of money move.
    pub kind: BillKind,
    /// Positive: money in; negative: money out.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// My balance right after it.
    #[ts(type = "number")]
    pub balance_after_fen: i64,
    /// Who was on the other side (a transfer's other person), if a person.
    #[ts(type = "string | null")]
    pub counterparty: Option<Uuid>,
    /// Their display name, for people who are not in my contacts (a shop I paid).
    pub counterparty_name: Option<String>,
    /// What the bill says.
    pub memo: String,
    /// The transfer it is about.
    #[ts(type = "string | null")]
    pub transfer_id: Option<Uuid>,
    /// The envelope it is about.
    #[ts(type = "string | null")]
    pub envelope_id: Option<Uuid>,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `GET /api/v1/wallet/bills`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Bills {
    /// The bills, newest first.
    pub bills: Vec<Bill>,
}

/// Filters for `GET /api/v1/wallet/bills`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct BillQuery {
    /// `YYYY-MM` (UTC); every month when left out.
    pub month: Option<String>,
    /// `in` or `out`.
    pub direction: Option<String>,
    /// Only bills of this kind.
    pub kind: Option<BillKind>,
}

/// `POST /api/v1/wallet/payments`: pay someone directly, e.g. after scanning their receive code.
/// The money is theirs at once (no accepting, unlike a transfer in a chat). Needs the PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Pay {
    /// The payer's key for this payment: a retry with the same key gets the first answer.
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    /// Who gets paid.
    #[ts(type = "string")]
    pub payee_id: Uuid,
    /// How much, in fen.
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    /// The payer's note.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub note: String,
    /// The payer's payment PIN.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentVia {
    /// The payer scanned the payee's receive code.
    ReceiveCode,
    /// The payee (a merchant) scanned the payer's one-time payment code.
    PaymentCode,
    /// The payer paid a mini-program's order.
    MiniProgram,
}

/// A payment as payer and payee see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Payment {
    /// The payment's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Who paid.
    #[ts(type = "string")]
    pub payer_id: Uuid,
    /// Their name.
    pub payer_name: String,
    /// Who was paid.
    #[ts(type = "string")]
    pub payee_id: Uuid,
    /// Their name.
    pub payee_name: String,
    /// How much, in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// The note.
    pub note: String,
    /// How it was paid.
    pub via: PaymentVia,
    /// When (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `GET /api/v1/wallet/payees/{handle}`: who a receive code pays, before paying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Payee {
    /// The payee.
    #[ts(type = "string")]
    pub user_id: Uuid,
    /// Their handle.
    pub handle: String,
    /// Their name.
    pub display_name: String,
    /// The hue of their avatar's colour.
    pub avatar_hue: u16,
}

/// `POST /api/v1/wallet/payment-codes`: a fresh one-time payment code for this device. The
/// first needs the PIN; while one is still valid, the device renews it with that code instead.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewPaymentCode {
    /// The payment PIN, for a new code.
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: Option<String>,
    /// The code to renew without the PIN.
    #[serde(default)]
    #[ts(optional)]
    pub renew: Option<String>,
}

/// A one-time payment code: 18 digits a merchant scans (or types) to charge my wallet once,
/// valid for a minute, only while the device it was made for is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PaymentCode {
    /// The code.
    pub code: String,
    /// When it stops working (Unix ms).
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// `POST /api/v1/wallet/collect`: a merchant charges a customer's payment code.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Collect {
    /// The merchant's key for this charge: a retry with the same key gets the first answer.
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    /// The payer's payment code.
    #[schema(pattern = "^[0-9]{18}$")]
    pub code: String,
    /// How much, in fen.
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    /// The note.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub note: String,
}

/// A payment-code charge above what the payer lets through without their PIN (per charge, and
/// per 24 hours): it waits for the payer to confirm it on their phone with the PIN.
/// `POST /wallet/collect` answers it with 202; the till follows it at `GET /wallet/charges/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PendingCharge {
    /// The charge's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Who is asked to pay.
    #[ts(type = "string")]
    pub payer_id: Uuid,
    /// Their name.
    pub payer_name: String,
    /// Who charges.
    #[ts(type = "string")]
    pub payee_id: Uuid,
    /// Their name.
    pub payee_name: String,
    /// How much, in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// The note.
    pub note: String,
    /// Where it is.
    pub state: ChargeState,
    /// The payment, once the payer confirmed.
    pub payment: Option<Payment>,
    /// When it was made (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it lapses unconfirmed (Unix ms).
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// Where a charge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChargeState {
    /// Waiting for the payer's PIN.
    Pending,
    /// The payer confirmed; the money moved.
    Paid,
    /// The payer declined.
    Declined,
    /// Nobody confirmed in time; nothing moved.
    Expired,
}

/// `POST /api/v1/wallet/charges/{id}/confirm`: the payer's PIN for a pending charge.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ConfirmCharge {
    /// The payer's payment PIN.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

/// `POST /api/v1/wallet/pin/reset`: a forgotten PIN, replaced from the phone with the account's
/// password instead of the old PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ResetPin {
    /// The account's password.
    pub password: String,
    /// The new PIN.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}
