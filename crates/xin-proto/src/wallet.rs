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
    #[ts(type = "number")]
    pub balance_fen: i64,
    pub has_pin: bool,
    pub cards: Vec<BankCard>,
}

/// A card of the bank provider. In this build the provider is Xin's **sandbox bank**: no real
/// money moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct BankCard {
    #[ts(type = "string")]
    pub id: Uuid,
    pub bank: String,
    /// The card number's last four digits.
    pub last4: String,
    pub sandbox: bool,
}

/// `POST /api/v1/wallet/cards`: add a sandbox card (a 16–19 digit number passing the Luhn check).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AddCard {
    #[schema(pattern = "^[0-9 ]{16,23}$")]
    pub number: String,
}

/// `PUT /api/v1/wallet/pin`: set the 6-digit payment PIN; changing it needs the old one.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SetPin {
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
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
    #[ts(type = "string")]
    pub card_id: Uuid,
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: Option<String>,
}

/// `POST /api/v1/wallet/transfers`: money to a friend in a direct chat, held until they accept.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendTransfer {
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub note: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MoneyTransferState {
    Pending,
    Accepted,
    Declined,
    /// Not accepted within 24 hours: back with the sender.
    Refunded,
}

/// A transfer as both sides see it (the chat card reads its state from here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MoneyTransfer {
    #[ts(type = "string")]
    pub id: Uuid,
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    #[ts(type = "string")]
    pub sender_id: Uuid,
    #[ts(type = "string")]
    pub recipient_id: Uuid,
    #[ts(type = "number")]
    pub amount_fen: i64,
    pub note: String,
    pub state: MoneyTransferState,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number | null")]
    pub resolved_at: Option<i64>,
}

/// What a bill line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillKind {
    TopUp,
    Withdrawal,
    TransferOut,
    TransferIn,
    TransferRefund,
    EnvelopeSent,
    EnvelopeGrabbed,
    EnvelopeReturned,
    /// I paid someone by scanning their receive code, or a merchant scanned my payment code.
    PaymentOut,
    /// Someone paid me (my receive code, or my payment code scanner as a merchant).
    PaymentIn,
}

/// One line of my bills: a ledger transaction as it touched my wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Bill {
    #[ts(type = "string")]
    pub id: Uuid,
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
    pub memo: String,
    #[ts(type = "string | null")]
    pub transfer_id: Option<Uuid>,
    #[ts(type = "string | null")]
    pub envelope_id: Option<Uuid>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `GET /api/v1/wallet/bills`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Bills {
    pub bills: Vec<Bill>,
}

/// Filters for `GET /api/v1/wallet/bills`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
pub struct BillQuery {
    /// `YYYY-MM` (UTC); every month when left out.
    pub month: Option<String>,
    /// `in` or `out`.
    pub direction: Option<String>,
    pub kind: Option<BillKind>,
}

/// `POST /api/v1/wallet/payments`: pay someone directly, e.g. after scanning their receive code.
/// The money is theirs at once (no accepting, unlike a transfer in a chat). Needs the PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Pay {
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    #[ts(type = "string")]
    pub payee_id: Uuid,
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub note: String,
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
    #[ts(type = "string")]
    pub id: Uuid,
    #[ts(type = "string")]
    pub payer_id: Uuid,
    pub payer_name: String,
    #[ts(type = "string")]
    pub payee_id: Uuid,
    pub payee_name: String,
    #[ts(type = "number")]
    pub amount_fen: i64,
    pub note: String,
    pub via: PaymentVia,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `GET /api/v1/wallet/payees/{handle}`: who a receive code pays, before paying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Payee {
    #[ts(type = "string")]
    pub user_id: Uuid,
    pub handle: String,
    pub display_name: String,
    pub avatar_hue: u16,
}

/// `POST /api/v1/wallet/payment-codes`: a fresh one-time payment code for this device. The
/// first needs the PIN; while one is still valid, the device renews it with that code instead.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewPaymentCode {
    #[serde(default)]
    #[ts(optional)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub renew: Option<String>,
}

/// A one-time payment code: 18 digits a merchant scans (or types) to charge my wallet once,
/// valid for a minute, only while the device it was made for is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PaymentCode {
    pub code: String,
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// `POST /api/v1/wallet/collect`: a merchant charges a customer's payment code.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Collect {
    #[schema(min_length = 1, max_length = 64)]
    pub idempotency_key: String,
    #[schema(pattern = "^[0-9]{18}$")]
    pub code: String,
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub note: String,
}

/// A payment-code charge above what the payer lets through without their PIN (per charge, and
/// per 24 hours): it waits for the payer to confirm it on their phone with the PIN.
/// `POST /wallet/collect` answers it with 202; the till follows it at `GET /wallet/charges/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PendingCharge {
    #[ts(type = "string")]
    pub id: Uuid,
    #[ts(type = "string")]
    pub payer_id: Uuid,
    pub payer_name: String,
    #[ts(type = "string")]
    pub payee_id: Uuid,
    pub payee_name: String,
    #[ts(type = "number")]
    pub amount_fen: i64,
    pub note: String,
    pub state: ChargeState,
    /// The payment, once the payer confirmed.
    pub payment: Option<Payment>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub expires_at: i64,
}

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
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

/// `POST /api/v1/wallet/pin/reset`: a forgotten PIN, replaced from the phone with the account's
/// password instead of the old PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ResetPin {
    pub password: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}
