// Generated from the Rust types by `cargo xtask gen-types`. Do not edit.

export type ErrorCode = "invalid_request" | "payload_too_large" | "not_found" | "method_not_allowed" | "handle_taken" | "phone_taken" | "invalid_credentials" | "unauthorized" | "token_expired" | "session_revoked" | "session_expired" | "rate_limited" | "server_busy" | "ticket_not_found" | "ticket_expired" | "ticket_used" | "ticket_declined" | "wrong_poll_secret" | "wrong_code" | "device_not_remembered" | "device_not_found" | "user_not_found" | "already_friends" | "request_not_found" | "blocked" | "not_friends" | "conversation_not_found" | "not_allowed" | "message_not_found" | "recall_window_passed" | "group_full" | "charge_not_found" | "upload_not_found" | "offset_mismatch" | "checksum_mismatch" | "hash_mismatch" | "file_too_large" | "quota_exceeded" | "blob_not_found" | "insufficient_funds" | "idempotency_conflict" | "pin_not_set" | "wrong_pin" | "pin_locked" | "card_not_found" | "card_declined" | "transfer_not_found" | "transfer_settled" | "envelope_not_found" | "envelope_empty" | "already_grabbed" | "payment_code_invalid" | "self_payment" | "phone_only" | "post_not_found" | "comment_not_found" | "official_account_not_found" | "article_not_found" | "broadcast_limit" | "reply_window_closed" | "not_following" | "qr_code_expired" | "mini_program_not_found" | "invalid_package" | "version_exists" | "login_code_invalid" | "order_not_found" | "link_expired" | "call_not_found" | "call_state_conflict" | "in_call" | "internal";

export type ErrorBody = { 
/**
 * The error.
 */
error: ErrorDetail, };

export type ErrorDetail = { 
/**
 * What went wrong, for programs.
 */
code: ErrorCode, 
/**
 * A sentence a person can read.
 */
message: string, };

export type UserProfile = { 
/**
 * The account's id; never changes.
 */
id: string, 
/**
 * The unique handle others search for (`alice`).
 */
handle: string, 
/**
 * The name shown in chats.
 */
display_name: string, 
/**
 * Hue (0–359) of the generated avatar until people can upload pictures.
 */
avatar_hue: number, };

export type RegisterRequest = { 
/**
 * 3–32 characters: ASCII letters, digits, `_`, starting with a letter.
 */
handle: string, 
/**
 * E.164-ish: optional `+`, 6–15 digits.
 */
phone: string, 
/**
 * 1–32 characters.
 */
display_name: string, 
/**
 * At least 8 characters.
 */
password: string, 
/**
 * The device signing up.
 */
device: DeviceInfo, };

export type SignInRequest = { 
/**
 * Handle or phone number.
 */
login: string, 
/**
 * The account's password.
 */
password: string, 
/**
 * The device signing in.
 */
device: DeviceInfo, };

export type RefreshRequest = { 
/**
 * The refresh token the session was issued.
 */
refresh_token: string, };

export type MediaKey = { 
/**
 * The session the key belongs to: the first part of every link it signs.
 */
session: string, 
/**
 * 32 bytes, in hex.
 */
key: string, };

export type Session = { 
/**
 * Who signed in.
 */
user: UserProfile, 
/**
 * This device's id in the account.
 */
device_id: string, 
/**
 * Short-lived bearer token for API calls.
 */
access_token: string, 
/**
 * Seconds until the access token expires.
 */
access_expires_in: number, 
/**
 * Single use: every refresh returns a new one and retires the old.
 */
refresh_token: string, 
/**
 * Present when the device is remembered: lets it ask the phone for a one-tap sign-in later.
 * A credential like the refresh token: keep it in the OS keyring.
 */
remember_token?: string, 
/**
 * For clients that load files by address (`<img src>`) and so cannot send the access
 * token in a header: signs links to files (see `media_link`).
 */
media_key?: MediaKey, };

export type Health = { 
/**
 * `ok` when the server is up.
 */
status: string, 
/**
 * The server's version.
 */
version: string, 
/**
 * The base URL phones reach this server at (for QR codes).
 */
public_url: string, };

export type DeviceKind = "desktop" | "phone";

export type DeviceInfo = { 
/**
 * e.g. "Alice's ThinkPad" (1–64 characters).
 */
name: string, 
/**
 * Desktop or phone.
 */
kind: DeviceKind, 
/**
 * e.g. "Linux", "Android 15" (1–64 characters).
 */
os: string, 
/**
 * e.g. "0.1.0" (1–32 characters).
 */
app_version: string, };

export type Device = { 
/**
 * The device's id.
 */
id: string, 
/**
 * Its name ("Alice's ThinkPad").
 */
name: string, 
/**
 * Desktop or phone.
 */
kind: DeviceKind, 
/**
 * Its operating system.
 */
os: string, 
/**
 * The Xin version it runs.
 */
app_version: string, 
/**
 * The address it last spoke from.
 */
ip: string, 
/**
 * Unix milliseconds.
 */
last_active_at: number, 
/**
 * Unix milliseconds.
 */
created_at: number, 
/**
 * True for the device asking.
 */
current: boolean, 
/**
 * True while it holds a live session.
 */
signed_in: boolean, };

export type DeviceList = { 
/**
 * Every device signed in, this one first.
 */
devices: Array<Device>, };

export type CreateTicketRequest = { 
/**
 * The computer asking to log in.
 */
device: DeviceInfo, };

export type RememberedLoginRequest = { 
/**
 * The token this computer was given when it was remembered.
 */
remember_token: string, 
/**
 * The computer asking to log in.
 */
device: DeviceInfo, };

export type TicketCreated = { 
/**
 * 128+ random bits, base64url; goes into the QR.
 */
ticket_id: string, 
/**
 * Never in the QR; needed to learn the ticket's state and to receive the session.
 */
poll_secret: string, 
/**
 * What the QR encodes: `<public url>/m/l/<ticket_id>`.
 */
qr_url: string, 
/**
 * Unix milliseconds.
 */
expires_at: number, };

export type WaitTicketRequest = { 
/**
 * The secret only the desktop that created the ticket knows.
 */
poll_secret: string, 
/**
 * The state the desktop already knows; the call returns as soon as the state differs
 * from it, or after about 25 s with the same state.
 */
known: TicketPhase, };

export type TicketPhase = "pending" | "scanned" | "confirmed" | "declined" | "expired";

export type TicketState = { "phase": "pending", 
/**
 * When the QR code stops working (Unix ms).
 */
expires_at: number, } | { "phase": "scanned", 
/**
 * Who scanned it.
 */
user: UserProfile, 
/**
 * Two digits, "07".
 */
code: string, 
/**
 * When the confirmation must come by (Unix ms).
 */
expires_at: number, } | { "phase": "confirmed", 
/**
 * The session for the desktop.
 */
session: Session, } | { "phase": "declined" } | { "phase": "expired" };

export type TicketDetails = { 
/**
 * The ticket.
 */
ticket_id: string, 
/**
 * The computer asking.
 */
device: DeviceInfo, 
/**
 * The address the desktop asked from.
 */
ip: string, 
/**
 * Unix milliseconds.
 */
created_at: number, 
/**
 * When it expires (Unix ms).
 */
expires_at: number, 
/**
 * Three two-digit codes; exactly one is on the computer's screen. Empty for a remembered
 * device, which the phone confirms with one tap.
 */
choices: Array<string>, 
/**
 * True when this is a remembered device asking for one-tap sign-in.
 */
remembered: boolean, };

export type ConfirmTicketRequest = { 
/**
 * The code the user tapped; required unless the ticket is for a remembered device.
 */
code?: string, };

export type PendingLogins = { 
/**
 * Logins waiting for this account's confirmation.
 */
tickets: Array<TicketDetails>, };

export type ServerEvent = { "type": "hello", 
/**
 * This device.
 */
device_id: string, } | { "type": "signed_out", 
/**
 * Why, in English.
 */
reason: string, 
/**
 * The session reached the server's absolute lifetime (nobody signed it out).
 */
expired: boolean, } | { "type": "login_request", 
/**
 * The ticket waiting for confirmation.
 */
ticket: TicketDetails, } | { "type": "devices_changed" } | { "type": "event", 
/**
 * The entry.
 */
event: Event, } | { "type": "call", 
/**
 * The call as it stands now.
 */
call: Call, } | { "type": "call_signal", 
/**
 * The call.
 */
call_id: string, 
/**
 * The device it comes from.
 */
from_device: string, 
/**
 * What it sends.
 */
signal: Signal, };

export type UserSearch = { 
/**
 * The users found.
 */
users: Array<UserProfile>, };

export type SendFriendRequest = { 
/**
 * Whom to ask.
 */
to: string, 
/**
 * Up to 100 characters ("Hi, I'm Alice from the climbing club").
 */
greeting: string, };

export type FriendRequestState = "pending" | "accepted" | "declined";

export type FriendRequest = { 
/**
 * The request's id.
 */
id: string, 
/**
 * Who asks.
 */
from: UserProfile, 
/**
 * Whom they ask.
 */
to: UserProfile, 
/**
 * What they wrote.
 */
greeting: string, 
/**
 * Where it is.
 */
state: FriendRequestState, 
/**
 * When it was sent (Unix ms).
 */
created_at: number, };

export type AnswerFriendRequest = { 
/**
 * Accept (true) or decline.
 */
accept: boolean, };

export type Contact = { 
/**
 * The friend.
 */
user: UserProfile, 
/**
 * The alias this user gave them; shown instead of their name everywhere.
 */
remark: string | null, 
/**
 * Friends since (Unix ms).
 */
since: number, 
/**
 * The tags (labels) this user gave them, sorted.
 */
tags: Array<string>, 
/**
 * This user blocked them: their messages and requests are refused.
 */
blocked: boolean, };

export type SetRemark = { 
/**
 * Empty clears it.
 */
remark: string, };

export type ContactList = { 
/**
 * My friends.
 */
contacts: Array<Contact>, 
/**
 * Requests to and from me, newest first.
 */
requests: Array<FriendRequest>, };

export type ConversationKind = "direct" | "group" | "self_note";

export type Role = "owner" | "admin" | "member";

export type Member = { 
/**
 * Who.
 */
user: UserProfile, 
/**
 * Their role.
 */
role: Role, };

export type Conversation = { 
/**
 * The conversation's id.
 */
id: string, 
/**
 * Direct, group or File Transfer.
 */
kind: ConversationKind, 
/**
 * Group name; for a direct chat, the other person's name.
 */
title: string, 
/**
 * The group's announcement (empty when none).
 */
announcement: string, 
/**
 * Its members.
 */
members: Array<Member>, 
/**
 * Conversation seq of the newest message.
 */
last_seq: number, 
/**
 * This member's read marker (a max-register).
 */
read_seq: number, 
/**
 * Computed by the server: messages after the read marker.
 */
unread: number, 
/**
 * Pinned to the top of my chat list.
 */
pinned: boolean, 
/**
 * Muted: no notifications, a grey badge.
 */
muted: boolean, 
/**
 * False once this user left or was removed: history stays, nothing new arrives.
 */
active: boolean, };

export type Content = { "type": "text", 
/**
 * The text.
 */
text: string, 
/**
 * Users @-mentioned in the text.
 */
mentions: string[], 
/**
 * "@all" (owner and admins only).
 */
mention_all: boolean, } | { "type": "system", 
/**
 * The English line.
 */
text: string, 
/**
 * What happened.
 */
event?: SystemEvent, } | { "type": "call", 
/**
 * The call.
 */
call_id: string, 
/**
 * Voice or video.
 */
kind: CallKind, 
/**
 * How it ended.
 */
outcome: CallOutcome, 
/**
 * From the answer to the hang-up (0 unless completed).
 */
duration_secs: number, 
/**
 * Why it failed, when it did.
 */
failure?: CallFailure, } | { "type": "image", 
/**
 * The picture.
 */
blob: BlobRef, 
/**
 * Width in pixels, after orientation.
 */
width: number, 
/**
 * Height in pixels, after orientation.
 */
height: number, 
/**
 * A small JPEG/PNG shown until (or instead of) the full image.
 */
thumbnail?: BlobRef, 
/**
 * ThumbHash (base64): a blurred preview drawn before any byte is downloaded.
 */
placeholder: string, } | { "type": "file", 
/**
 * The file.
 */
blob: BlobRef, 
/**
 * Sanitised (see [`crate::file_name`]): no separators, no `..`, no control characters.
 */
name: string, 
/**
 * Its media type.
 */
media_type: string, } | { "type": "voice", 
/**
 * The recording.
 */
blob: BlobRef, 
/**
 * Its length.
 */
duration_ms: number, 
/**
 * Loudness, 0–255 per bar, for the bubble's waveform.
 */
waveform: Array<number>, } | { "type": "video", 
/**
 * The video file.
 */
blob: BlobRef, 
/**
 * A still from it.
 */
thumbnail?: BlobRef, 
/**
 * Its length.
 */
duration_ms: number, 
/**
 * Width in pixels.
 */
width: number, 
/**
 * Height in pixels.
 */
height: number, 
/**
 * The sender's file name (sanitised), for saving it.
 */
name: string, } | { "type": "transfer", 
/**
 * The transfer.
 */
transfer_id: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The sender's note.
 */
note: string, } | { "type": "red_envelope", 
/**
 * The envelope.
 */
envelope_id: string, 
/**
 * Lucky draw or equal shares.
 */
kind: EnvelopeKind, 
/**
 * The sender's wishes.
 */
note: string, } | { "type": "article", 
/**
 * The article.
 */
article_id: string, 
/**
 * Its title.
 */
title: string, 
/**
 * Its cover picture's address.
 */
cover: string | null, 
/**
 * The official account that published it.
 */
account_name: string, } | { "type": "mini_program", 
/**
 * The mini-program.
 */
mini_program_id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Who publishes it.
 */
publisher: string, } | { "type": "history", 
/**
 * "Chat history of Alice and Bob", or the group's.
 */
title: string, 
/**
 * The messages, in order.
 */
items: Array<HistoryItem>, } | { "type": "unsupported" };

export type HistoryItem = { 
/**
 * The sender's name when it was sent.
 */
sender_name: string, 
/**
 * When it was sent (Unix ms).
 */
created_at: number, 
/**
 * What it said.
 */
content: Content, };

export type BlobRef = { 
/**
 * BLAKE3 of the whole file, 64 lowercase hex digits.
 */
hash: string, 
/**
 * Its size in bytes.
 */
size: number, };

export type UploadCreated = { 
/**
 * Where to send chunks: `/api/v1/uploads/{id}`. `None` when nothing needs sending.
 */
location: string | null, 
/**
 * Bytes the server already holds and has verified.
 */
offset: number, 
/**
 * Set when the upload is already complete: this user has these bytes already
 * ("instant upload"), so nothing needs sending.
 */
complete: boolean, };

export type Message = { 
/**
 * The message's id.
 */
id: string, 
/**
 * The conversation it is in.
 */
conversation_id: string, 
/**
 * Position in the conversation: gap-free, the order everyone sees.
 */
seq: number, 
/**
 * Who sent it.
 */
sender_id: string, 
/**
 * The sender's own id for it (UUIDv7); retries with the same id never make a second message.
 */
client_id: string, 
/**
 * What it says or holds.
 */
content: Content, 
/**
 * The message it quotes.
 */
reply_to: string | null, 
/**
 * Recalled by its sender: the content is gone.
 */
recalled: boolean, 
/**
 * When the server stored it (Unix ms).
 */
created_at: number, };

export type SendMessage = { 
/**
 * The sender's own id for it: a retry with the same id is answered with the first result.
 */
client_id: string, 
/**
 * What to send.
 */
content: Content, 
/**
 * A message of this conversation to quote.
 */
reply_to: string | null, };

export type CreateGroup = { 
/**
 * The group's name.
 */
title: string, 
/**
 * Friends to add besides me.
 */
members: string[], };

export type OpenDirect = { 
/**
 * The other person.
 */
with: string, };

export type UpdateConversation = { 
/**
 * A new name.
 */
title?: string, 
/**
 * A new announcement.
 */
announcement?: string, };

export type MemberSettings = { 
/**
 * Pin it to the top.
 */
pinned: boolean, 
/**
 * Mute it.
 */
muted: boolean, };

export type AddMembers = { 
/**
 * Friends to add.
 */
users: string[], };

export type SetRole = { 
/**
 * The new role.
 */
role: Role, };

export type MarkRead = { 
/**
 * Everything up to this seq is read.
 */
seq: number, };

export type MessagePage = { 
/**
 * The messages, oldest first.
 */
messages: Array<Message>, };

export type ConversationList = { 
/**
 * Every conversation I am or was in.
 */
conversations: Array<Conversation>, };

export type Event = { 
/**
 * This user's sequence number for it: gap-free, in commit order.
 */
seq: number, 
/**
 * When it happened (Unix ms).
 */
at: number, 
/**
 * What happened.
 */
body: EventBody, };

export type EventBody = { "type": "message_new", 
/**
 * The message.
 */
message: Message, 
/**
 * The receiving user's unread count in that conversation after it.
 */
unread: number, } | { "type": "message_recalled", 
/**
 * Its conversation.
 */
conversation_id: string, 
/**
 * The message.
 */
message_id: string, } | { "type": "message_hidden", 
/**
 * Its conversation.
 */
conversation_id: string, 
/**
 * The message.
 */
message_id: string, } | { "type": "conversation_updated", 
/**
 * The whole conversation, as this user sees it.
 */
conversation: Conversation, } | { "type": "conversation_changed", 
/**
 * The conversation.
 */
conversation_id: string, 
/**
 * Its new name, if it changed.
 */
title?: string, 
/**
 * Its new announcement, if it changed.
 */
announcement?: string, } | { "type": "members_added", 
/**
 * The conversation.
 */
conversation_id: string, 
/**
 * Who joined, with their roles.
 */
members: Array<Member>, } | { "type": "member_removed", 
/**
 * The conversation.
 */
conversation_id: string, 
/**
 * Who is no longer in it.
 */
user_id: string, } | { "type": "member_role_changed", 
/**
 * The conversation.
 */
conversation_id: string, 
/**
 * Whose role changed.
 */
user_id: string, 
/**
 * The new role.
 */
role: Role, } | { "type": "read_marker", 
/**
 * The conversation.
 */
conversation_id: string, 
/**
 * Everything up to this seq is read.
 */
read_seq: number, 
/**
 * Messages still unread.
 */
unread: number, } | { "type": "friend_request", 
/**
 * The request.
 */
request: FriendRequest, } | { "type": "contact_updated", 
/**
 * The contact.
 */
contact: Contact, } | { "type": "contact_removed", 
/**
 * Who.
 */
user_id: string, } | { "type": "wallet_changed", 
/**
 * The new balance, in fen.
 */
balance_fen: number, } | { "type": "transfer_changed", 
/**
 * The transfer.
 */
transfer: MoneyTransfer, } | { "type": "envelope_changed", 
/**
 * The envelope.
 */
envelope_id: string, 
/**
 * The chat it is in.
 */
conversation_id: string, } | { "type": "payment", 
/**
 * The payment.
 */
payment: Payment, } | { "type": "charge", 
/**
 * The charge waiting for the payer.
 */
charge: PendingCharge, } | { "type": "moment_posted", 
/**
 * The post.
 */
post_id: string, 
/**
 * Who posted it.
 */
author: MomentUser, } | { "type": "moment_notice", 
/**
 * The like, comment or reply.
 */
notice: MomentNotice, } | { "type": "moment_deleted", 
/**
 * The post.
 */
post_id: string, } | { "type": "official_broadcast", 
/**
 * The broadcast.
 */
broadcast: Broadcast, } | { "type": "official_message", 
/**
 * The message.
 */
message: OfficialMessage, } | { "type": "unknown" };

export type EventPage = { 
/**
 * The events, in seq order.
 */
events: Array<Event>, 
/**
 * The newest seq in this user's log (the client is current when it reaches it).
 */
head: number, };

export type Wallet = { 
/**
 * The balance, in fen.
 */
balance_fen: number, 
/**
 * A payment PIN is set.
 */
has_pin: boolean, 
/**
 * Bank cards added.
 */
cards: Array<BankCard>, };

export type BankCard = { 
/**
 * The card's id.
 */
id: string, 
/**
 * The bank's name.
 */
bank: string, 
/**
 * The card number's last four digits.
 */
last4: string, 
/**
 * A test card of the sandbox bank.
 */
sandbox: boolean, };

export type AddCard = { 
/**
 * The card number.
 */
number: string, };

export type SetPin = { 
/**
 * The new PIN, six digits.
 */
pin: string, 
/**
 * The current PIN, when changing it.
 */
old_pin?: string, };

export type BankMove = { 
/**
 * Chosen by the client, once per intended movement: a retry with the same key returns the
 * first result and moves nothing again.
 */
idempotency_key: string, 
/**
 * The bank card.
 */
card_id: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The payment PIN (withdrawals).
 */
pin?: string, };

export type SendTransfer = { 
/**
 * The sender's key for this send: a retry with the same key gets the first answer.
 */
idempotency_key: string, 
/**
 * The direct chat it goes to.
 */
conversation_id: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The sender's note.
 */
note: string, 
/**
 * The sender's payment PIN.
 */
pin: string, };

export type MoneyTransferState = "pending" | "accepted" | "declined" | "refunded";

export type MoneyTransfer = { 
/**
 * The transfer's id.
 */
id: string, 
/**
 * The chat it was sent in.
 */
conversation_id: string, 
/**
 * Who sent it.
 */
sender_id: string, 
/**
 * Who gets it.
 */
recipient_id: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The sender's note.
 */
note: string, 
/**
 * Pending, accepted, declined or refunded.
 */
state: MoneyTransferState, 
/**
 * When it was sent (Unix ms).
 */
created_at: number, 
/**
 * When it goes back unless accepted (Unix ms).
 */
expires_at: number, 
/**
 * When it was accepted, declined or refunded (Unix ms).
 */
resolved_at: number | null, };

export type BillKind = "top_up" | "withdrawal" | "transfer_out" | "transfer_in" | "transfer_refund" | "envelope_sent" | "envelope_grabbed" | "envelope_returned" | "payment_out" | "payment_in";

export type Bill = { 
/**
 * The bill's id.
 */
id: string, 
/**
 * What kind of money move.
 */
kind: BillKind, 
/**
 * Positive: money in; negative: money out.
 */
amount_fen: number, 
/**
 * My balance right after it.
 */
balance_after_fen: number, 
/**
 * Who was on the other side (a transfer's other person), if a person.
 */
counterparty: string | null, 
/**
 * Their display name, for people who are not in my contacts (a shop I paid).
 */
counterparty_name: string | null, 
/**
 * What the bill says.
 */
memo: string, 
/**
 * The transfer it is about.
 */
transfer_id: string | null, 
/**
 * The envelope it is about.
 */
envelope_id: string | null, 
/**
 * When (Unix ms).
 */
created_at: number, };

export type Bills = { 
/**
 * The bills, newest first.
 */
bills: Array<Bill>, };

export type CallKind = "voice" | "video";

export type CallState = "ringing" | "active" | "ended";

export type CallOutcome = "completed" | "cancelled" | "declined" | "no_answer" | "busy" | "failed";

export type CallFailure = "connection" | "signed_out" | "media";

export type IceServer = { 
/**
 * `stun:` / `turn:` / `turns:` URLs.
 */
urls: Array<string>, 
/**
 * Short-lived TURN credentials (TURN REST: `expiry:user`).
 */
username?: string, 
/**
 * The password that goes with `username`.
 */
credential?: string, };

export type Call = { 
/**
 * The call.
 */
id: string, 
/**
 * Who rang.
 */
caller: string, 
/**
 * The device the caller called from.
 */
caller_device: string, 
/**
 * Who was rung.
 */
callee: string, 
/**
 * The callee's device that took the call, once one has.
 */
callee_device?: string, 
/**
 * The 1:1 chat the call's line goes to.
 */
conversation_id: string, 
/**
 * Voice or video, as it was rung.
 */
kind: CallKind, 
/**
 * Where it stands.
 */
state: CallState, 
/**
 * Answered as a voice call (a video call taken with voice only).
 */
voice_only: boolean, 
/**
 * When it was rung, ms since the epoch (server clock).
 */
created_at: number, 
/**
 * When it was answered: both sides count the duration from here.
 */
answered_at?: number, 
/**
 * How it ended, once it has.
 */
outcome?: CallOutcome, 
/**
 * ICE servers for this call (empty on a LAN without TURN configured).
 */
ice_servers: Array<IceServer>, };

export type StartCall = { 
/**
 * The friend to call.
 */
callee: string, 
/**
 * Voice or video.
 */
kind: CallKind, };

export type AcceptCall = { 
/**
 * Take a video call with voice only.
 */
voice_only: boolean, };

export type HangUp = { 
/**
 * Hung up because the call could not go on (the line then says why).
 */
failure?: CallFailure, };

export type Signal = { "type": "offer", 
/**
 * SDP.
 */
sdp: string, } | { "type": "answer", 
/**
 * SDP.
 */
sdp: string, } | { "type": "candidate", 
/**
 * The `candidate:` line.
 */
candidate: string, 
/**
 * The media stream it is for.
 */
sdp_mid?: string, 
/**
 * The index of the media line it is for.
 */
sdp_m_line_index?: number, } | { "type": "camera", 
/**
 * Whether pictures come.
 */
on: boolean, };

export type SendSignal = { 
/**
 * What to send.
 */
signal: Signal, };

export type EnvelopeKind = "normal" | "lucky";

export type SendEnvelope = { 
/**
 * The sender's key for this send: a retry with the same key gets the first answer.
 */
idempotency_key: string, 
/**
 * The chat it goes to.
 */
conversation_id: string, 
/**
 * Lucky draw or equal shares.
 */
kind: EnvelopeKind, 
/**
 * The whole envelope (for a normal one: shares × the amount each gets).
 */
amount_fen: number, 
/**
 * How many can grab it.
 */
shares: number, 
/**
 * The sender's wishes.
 */
note: string, 
/**
 * The sender's payment PIN.
 */
pin: string, };

export type EnvelopeState = "open" | "finished" | "returned";

export type Grab = { 
/**
 * Who grabbed it.
 */
user_id: string, 
/**
 * How much they got, in fen.
 */
amount_fen: number, 
/**
 * When (Unix ms).
 */
at: number, };

export type Envelope = { 
/**
 * The envelope's id.
 */
id: string, 
/**
 * The chat it was sent in.
 */
conversation_id: string, 
/**
 * Who sent it.
 */
sender_id: string, 
/**
 * Lucky draw or equal shares.
 */
kind: EnvelopeKind, 
/**
 * The whole amount, in fen.
 */
amount_fen: number, 
/**
 * How many shares.
 */
shares: number, 
/**
 * The sender's wishes.
 */
note: string, 
/**
 * Open, finished or returned.
 */
state: EnvelopeState, 
/**
 * Grabs in order.
 */
grabs: Array<Grab>, 
/**
 * BLAKE3 of the seed, hex: published when the envelope is sent.
 */
commitment: string, 
/**
 * The seed, hex: revealed once finished or returned.
 */
seed?: string, 
/**
 * Who got the most, once finished.
 */
best_luck: string | null, 
/**
 * When the rest goes back to the sender (Unix ms).
 */
expires_at: number, };

export type Pay = { 
/**
 * The payer's key for this payment: a retry with the same key gets the first answer.
 */
idempotency_key: string, 
/**
 * Who gets paid.
 */
payee_id: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The payer's note.
 */
note: string, 
/**
 * The payer's payment PIN.
 */
pin: string, };

export type PaymentVia = "receive_code" | "payment_code" | "mini_program";

export type Payment = { 
/**
 * The payment's id.
 */
id: string, 
/**
 * Who paid.
 */
payer_id: string, 
/**
 * Their name.
 */
payer_name: string, 
/**
 * Who was paid.
 */
payee_id: string, 
/**
 * Their name.
 */
payee_name: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The note.
 */
note: string, 
/**
 * How it was paid.
 */
via: PaymentVia, 
/**
 * When (Unix ms).
 */
created_at: number, };

export type Payee = { 
/**
 * The payee.
 */
user_id: string, 
/**
 * Their handle.
 */
handle: string, 
/**
 * Their name.
 */
display_name: string, 
/**
 * The hue of their avatar's colour.
 */
avatar_hue: number, };

export type NewPaymentCode = { 
/**
 * The payment PIN, for a new code.
 */
pin?: string, 
/**
 * The code to renew without the PIN.
 */
renew?: string, };

export type PaymentCode = { 
/**
 * The code.
 */
code: string, 
/**
 * When it stops working (Unix ms).
 */
expires_at: number, };

export type Collect = { 
/**
 * The merchant's key for this charge: a retry with the same key gets the first answer.
 */
idempotency_key: string, 
/**
 * The payer's payment code.
 */
code: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The note.
 */
note: string, };

export type ChargeState = "pending" | "paid" | "declined" | "expired";

export type PendingCharge = { 
/**
 * The charge's id.
 */
id: string, 
/**
 * Who is asked to pay.
 */
payer_id: string, 
/**
 * Their name.
 */
payer_name: string, 
/**
 * Who charges.
 */
payee_id: string, 
/**
 * Their name.
 */
payee_name: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * The note.
 */
note: string, 
/**
 * Where it is.
 */
state: ChargeState, 
/**
 * The payment, once the payer confirmed.
 */
payment: Payment | null, 
/**
 * When it was made (Unix ms).
 */
created_at: number, 
/**
 * When it lapses unconfirmed (Unix ms).
 */
expires_at: number, };

export type ConfirmCharge = { 
/**
 * The payer's payment PIN.
 */
pin: string, };

export type ResetPin = { 
/**
 * The account's password.
 */
password: string, 
/**
 * The new PIN.
 */
pin: string, };

export type Visibility = "all" | "private" | "only" | "except";

export type LinkCard = { 
/**
 * An http or https address.
 */
url: string, 
/**
 * The page's title.
 */
title: string, 
/**
 * Its description.
 */
description: string, 
/**
 * The page's picture, uploaded as a blob by the sharer.
 */
image: string | null, };

export type NewPost = { 
/**
 * The text.
 */
text: string, 
/**
 * Blob hashes of images I uploaded (or may read), in order.
 */
images: Array<string>, 
/**
 * A shared web page (a post has images or a link, not both).
 */
link: LinkCard | null, 
/**
 * Who may see it.
 */
visibility: Visibility, 
/**
 * For `only` / `except`: chosen friends.
 */
users: string[], 
/**
 * For `only` / `except`: my contact tags (resolved to their friends when posting).
 */
tags: Array<string>, };

export type MomentUser = { 
/**
 * The user.
 */
id: string, 
/**
 * Their name.
 */
display_name: string, 
/**
 * The hue of their avatar's colour.
 */
avatar_hue: number, };

export type MomentComment = { 
/**
 * The comment's id.
 */
id: string, 
/**
 * Who wrote it.
 */
author: MomentUser, 
/**
 * The person replied to, if a reply.
 */
reply_to: MomentUser | null, 
/**
 * The text.
 */
text: string, 
/**
 * When (Unix ms).
 */
created_at: number, };

export type Post = { 
/**
 * The post's id.
 */
id: string, 
/**
 * Who posted it.
 */
author: MomentUser, 
/**
 * The text.
 */
text: string, 
/**
 * Its pictures' hashes.
 */
images: Array<string>, 
/**
 * A shared link.
 */
link: LinkCard | null, 
/**
 * Shown to the author only.
 */
visibility: Visibility | null, 
/**
 * When it was posted (Unix ms).
 */
created_at: number, 
/**
 * Who liked it (of those I may see).
 */
likes: Array<MomentUser>, 
/**
 * Comments (of those I may see), oldest first.
 */
comments: Array<MomentComment>, };

export type PostPage = { 
/**
 * The posts, newest first.
 */
posts: Array<Post>, 
/**
 * Pass as `before` for the next page; null at the end.
 */
next: string | null, };

export type NewComment = { 
/**
 * The text.
 */
text: string, 
/**
 * The comment replied to, if a reply.
 */
reply_to?: string, };

export type AlbumWindow = "all" | "six_months" | "three_days";

export type MomentsSettings = { 
/**
 * How far back friends may look in my album.
 */
window: AlbumWindow, };

export type PersonMoments = { 
/**
 * Don't let them see my Moments.
 */
hide_mine: boolean, 
/**
 * Hide their Moments from my timeline.
 */
hide_theirs: boolean, };

export type ContactTags = { 
/**
 * The contact's tags.
 */
tags: Array<string>, };

export type MomentNoticeKind = "like" | "comment" | "reply";

export type MomentNotice = { 
/**
 * The post.
 */
post_id: string, 
/**
 * Like, comment or reply.
 */
kind: MomentNoticeKind, 
/**
 * Who.
 */
from: MomentUser, 
/**
 * The comment's text, for comments and replies.
 */
text: string, 
/**
 * When (Unix ms).
 */
at: number, };

export type Named = { 
/**
 * The user.
 */
id: string, 
/**
 * Their name when it happened.
 */
name: string, };

export type SystemEvent = { "kind": "group_created", 
/**
 * Who made it.
 */
by: Named, 
/**
 * Who was in it.
 */
with: Array<Named>, } | { "kind": "renamed", 
/**
 * Who renamed it.
 */
by: Named, 
/**
 * The new name.
 */
title: string, } | { "kind": "announcement_updated", 
/**
 * Who changed it.
 */
by: Named, } | { "kind": "members_added", 
/**
 * Who added them.
 */
by: Named, 
/**
 * Who was added.
 */
users: Array<Named>, } | { "kind": "left", 
/**
 * Who.
 */
user: Named, } | { "kind": "removed", 
/**
 * Who removed them.
 */
by: Named, 
/**
 * Who was removed.
 */
user: Named, } | { "kind": "role_changed", 
/**
 * Whose.
 */
user: Named, 
/**
 * The new role.
 */
role: Role, };

export type MiniProgramPermission = "profile" | "payment";

export type MiniProgramManifest = { 
/**
 * The publisher's name for it: 3–32 of `a-z`, `0-9`, `-`; unique on the server.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * What it does, in a sentence.
 */
description: string, 
/**
 * A PNG inside the package (at most 64 KiB).
 */
icon: string, 
/**
 * `major.minor.patch`; each upload is a new version.
 */
version: string, 
/**
 * HTML pages inside the package; the first is where it opens.
 */
pages: Array<string>, 
/**
 * What it may ask the user for.
 */
permissions: Array<MiniProgramPermission>, 
/**
 * Hosts `xin.request()` may reach, over HTTPS only (`api.example.com`).
 */
domains: Array<string>, 
/**
 * Folders loaded only when used; everything else is the main package (at most 4 MiB).
 */
subpackages: Array<string>, };

export type MiniProgramRelease = { 
/**
 * Its version.
 */
version: string, 
/**
 * The zip's size in bytes.
 */
size: number, 
/**
 * BLAKE3 of the zip, hex.
 */
hash: string, 
/**
 * Ed25519 over [`signed_message`], base64; the key is `GET /mini-programs/signing-key`.
 */
signature: string, 
/**
 * When it was published (Unix ms).
 */
published_at: number, };

export type MiniProgram = { 
/**
 * The mini-program's id.
 */
id: string, 
/**
 * The manifest's `id`.
 */
app_id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * What it does.
 */
description: string, 
/**
 * A `data:image/png;base64,…` URL.
 */
icon: string, 
/**
 * The official account that publishes it.
 */
account_id: string, 
/**
 * Who publishes it (the official account).
 */
publisher: string, 
/**
 * What it may ask for.
 */
permissions: Array<MiniProgramPermission>, 
/**
 * The only hosts it may call.
 */
domains: Array<string>, 
/**
 * The version users get.
 */
release: MiniProgramRelease, 
/**
 * Whether I pinned it, and when I last opened it (mine only).
 */
pinned: boolean, 
/**
 * When I last opened it (Unix ms).
 */
last_used: number | null, };

export type MiniProgramList = { 
/**
 * The mini-programs.
 */
mini_programs: Array<MiniProgram>, };

export type LoginCode = { 
/**
 * The one-time code.
 */
code: string, 
/**
 * When it stops working (Unix ms).
 */
expires_at: number, };

export type OrderState = "created" | "paid";

export type MiniProgramOrder = { 
/**
 * The order's id.
 */
id: string, 
/**
 * The mini-program.
 */
mini_program_id: string, 
/**
 * Its name.
 */
mini_program_name: string, 
/**
 * The mini-program's own order number.
 */
out_trade_no: string, 
/**
 * The paying user, as this mini-program knows them.
 */
openid: string, 
/**
 * What is being paid for.
 */
description: string, 
/**
 * How much, in fen.
 */
amount_fen: number, 
/**
 * Who the money goes to: the publishing account.
 */
payee_name: string, 
/**
 * Created or paid.
 */
state: OrderState, 
/**
 * When it was made (Unix ms).
 */
created_at: number, 
/**
 * When it was paid (Unix ms).
 */
paid_at: number | null, };

export type MiniProgramRequest = { 
/**
 * The address (one of the manifest's domains).
 */
url: string, 
/**
 * GET, POST, PUT, PATCH or DELETE (GET when left out).
 */
method: string | null, 
/**
 * Request headers.
 */
headers: { [key in string]?: string }, 
/**
 * The body, if any.
 */
body: string | null, };

export type MiniProgramResponse = { 
/**
 * The HTTP status.
 */
status: number, 
/**
 * Response headers.
 */
headers: { [key in string]?: string }, 
/**
 * The body, as text.
 */
body: string, };

export type OfficialKind = "subscription" | "service";

export type NewOfficialAccount = { 
/**
 * Its Xin ID: 3–32 letters, digits and `_`, starting with a letter.
 */
handle: string, 
/**
 * Its name.
 */
name: string, 
/**
 * What it is about.
 */
intro: string, 
/**
 * Subscription or service.
 */
kind: OfficialKind, };

export type OfficialAccount = { 
/**
 * The account's id.
 */
id: string, 
/**
 * Its unique handle.
 */
handle: string, 
/**
 * Its name.
 */
name: string, 
/**
 * What it is about.
 */
intro: string, 
/**
 * Subscription or service.
 */
kind: OfficialKind, 
/**
 * The hue of its avatar's colour.
 */
avatar_hue: number, 
/**
 * Blob hash of its picture; none: the initial on `avatar_hue`.
 */
avatar: string | null, 
/**
 * How many follow it.
 */
followers: number, 
/**
 * Whether the asking user follows it.
 */
following: boolean, 
/**
 * Whether the asking user owns it (may publish).
 */
mine: boolean, 
/**
 * The newest message in the asking user's chat with it.
 */
last_message: OfficialMessage | null, };

export type OfficialAccountList = { 
/**
 * The accounts.
 */
accounts: Array<OfficialAccount>, };

export type Follow = { 
/**
 * The QR code followed through (its scene is reported to the account).
 */
code?: string, };

export type NewArticle = { 
/**
 * The title.
 */
title: string, 
/**
 * Blob hash of the cover picture.
 */
cover?: string, 
/**
 * The digest shown in lists.
 */
digest: string, 
/**
 * The author's name.
 */
author: string, 
/**
 * The body, as HTML (sanitised by the server).
 */
body_html: string, 
/**
 * "Read original": an http(s) address.
 */
source_url?: string, };

export type Article = { 
/**
 * The article's id.
 */
id: string, 
/**
 * The account that published it.
 */
account_id: string, 
/**
 * That account's name.
 */
account_name: string, 
/**
 * The title.
 */
title: string, 
/**
 * The cover picture's address.
 */
cover: string | null, 
/**
 * The digest.
 */
digest: string, 
/**
 * The author.
 */
author: string, 
/**
 * Sanitised HTML: no scripts, styles, event handlers or remote content.
 */
body_html: string, 
/**
 * The original's address.
 */
source_url: string | null, 
/**
 * When it was published (Unix ms).
 */
created_at: number, 
/**
 * How many times it was read.
 */
reads: number, 
/**
 * How many liked it.
 */
likes: number, 
/**
 * How many said "wow".
 */
wows: number, 
/**
 * I liked it.
 */
liked: boolean, 
/**
 * I said "wow".
 */
wowed: boolean, };

export type ArticleCard = { 
/**
 * The article's id.
 */
id: string, 
/**
 * The title.
 */
title: string, 
/**
 * The cover picture's address.
 */
cover: string | null, 
/**
 * The digest.
 */
digest: string, };

export type Reaction = { 
/**
 * Like it.
 */
liked: boolean, 
/**
 * Say "wow".
 */
wowed: boolean, };

export type NewBroadcast = { 
/**
 * 1–8 of the account's articles, in order.
 */
articles: string[], 
/**
 * Only followers the account gave this tag.
 */
tag?: string, };

export type Broadcast = { 
/**
 * The broadcast's id.
 */
id: string, 
/**
 * The account.
 */
account_id: string, 
/**
 * Its name.
 */
account_name: string, 
/**
 * Subscription or service.
 */
account_kind: OfficialKind, 
/**
 * The hue of its avatar's colour.
 */
account_hue: number, 
/**
 * Its avatar picture's address.
 */
account_avatar: string | null, 
/**
 * The articles, first the headline.
 */
articles: Array<ArticleCard>, 
/**
 * When it was sent (Unix ms).
 */
sent_at: number, 
/**
 * Followers it reached.
 */
delivered: number, };

export type BroadcastList = { 
/**
 * The broadcasts, newest first.
 */
broadcasts: Array<Broadcast>, };

export type FollowerTags = { 
/**
 * The tags.
 */
tags: Array<string>, };

export type UpdateOfficialAccount = { 
/**
 * A new name.
 */
name: string, 
/**
 * A new introduction.
 */
intro: string, 
/**
 * Blob hash of a picture the owner uploaded; none removes it.
 */
avatar?: string, };

export type Follower = { 
/**
 * The follower.
 */
user: UserProfile, 
/**
 * Following since (Unix ms).
 */
since: number, 
/**
 * The scene of the QR code they followed through.
 */
scene: string | null, 
/**
 * The account's tags for them.
 */
tags: Array<string>, };

export type FollowerList = { 
/**
 * The followers.
 */
followers: Array<Follower>, 
/**
 * Every tag the account uses, for the tag pickers.
 */
tags: Array<string>, 
/**
 * Pass as `before` for the next page; none at the end.
 */
next: number | null, };

export type ArticleList = { 
/**
 * The articles.
 */
articles: Array<Article>, };

export type MenuAction = { "type": "keyword", 
/**
 * The keyword.
 */
keyword: string, } | { "type": "article", 
/**
 * The article.
 */
article_id: string, } | { "type": "link", 
/**
 * The address.
 */
url: string, } | { "type": "mini_program", 
/**
 * The mini-program.
 */
mini_program_id: string, };

export type MenuItem = { 
/**
 * What it says.
 */
name: string, 
/**
 * What it does.
 */
action: MenuAction, };

export type Menu = { 
/**
 * What the button says.
 */
name: string, 
/**
 * Its entries.
 */
items: Array<MenuItem>, };

export type OfficialMenu = { 
/**
 * The menus, left to right.
 */
menus: Array<Menu>, };

export type KeywordReply = { 
/**
 * Matched against the whole message, ignoring case and surrounding spaces.
 */
keyword: string, 
/**
 * The answer.
 */
reply: string, };

export type AutoReplies = { 
/**
 * Sent to each new follower; null or empty: none.
 */
on_follow: string | null, 
/**
 * Keyword answers.
 */
keywords: Array<KeywordReply>, 
/**
 * Sent when no keyword matches.
 */
default: string | null, };

export type OfficialMessage = { 
/**
 * The message's id.
 */
id: string, 
/**
 * The account.
 */
account_id: string, 
/**
 * The follower.
 */
user_id: string, 
/**
 * Written by the account (an auto-reply or its staff), not the follower.
 */
from_account: boolean, 
/**
 * The text.
 */
text: string, 
/**
 * When (Unix ms).
 */
created_at: number, };

export type OfficialChat = { 
/**
 * The messages, oldest first.
 */
messages: Array<OfficialMessage>, 
/**
 * The account's menu.
 */
menu: OfficialMenu, };

export type SendOfficialMessage = { 
/**
 * The text.
 */
text: string, 
/**
 * A menu's keyword item was tapped: only the answer shows.
 */
from_menu: boolean, };

export type StaffMessage = { 
/**
 * The text.
 */
text: string, };

export type InboxEntry = { 
/**
 * The follower.
 */
user: UserProfile, 
/**
 * Their last message.
 */
last: OfficialMessage, 
/**
 * The follower wrote within the last 48 hours: staff may answer.
 */
can_reply: boolean, };

export type Inbox = { 
/**
 * Chats with followers, most recent first.
 */
chats: Array<InboxEntry>, };

export type SetDeveloper = { 
/**
 * An http(s) address; null turns developer mode off.
 */
webhook_url: string | null, };

export type Developer = { 
/**
 * Where events are posted.
 */
webhook_url: string | null, 
/**
 * Signs deliveries and exchanges for access tokens. Keep it on your server.
 */
secret: string, };

export type WebhookEvent = { 
/**
 * The delivery id: the same on every retry, so receivers deduplicate by it.
 */
id: string, 
/**
 * The account.
 */
account_id: string, 
/**
 * The follower.
 */
user_id: string, 
/**
 * What happened.
 */
kind: WebhookKind, 
/**
 * The follower's message, or the tapped menu keyword.
 */
text: string | null, 
/**
 * For follows through a QR code: its scene value.
 */
scene: string | null, 
/**
 * When (Unix ms).
 */
at: number, };

export type WebhookKind = "follow" | "unfollow" | "message" | "menu_keyword";

export type OfficialTokenRequest = { 
/**
 * The account.
 */
account_id: string, 
/**
 * Its API secret.
 */
secret: string, };

export type OfficialToken = { 
/**
 * The token.
 */
access_token: string, 
/**
 * Seconds: 7 200.
 */
expires_in: number, };

export type ApiReply = { 
/**
 * The follower.
 */
user_id: string, 
/**
 * The text.
 */
text: string, };

export type NewOfficialQr = { 
/**
 * Reported with every follow through this code (in the webhook's follow event and the
 * console's figures); null or empty for the account's plain code.
 */
scene?: string, 
/**
 * Seconds the code works (60 s to 30 days); null: it never expires.
 */
expires_in?: number, };

export type OfficialQr = { 
/**
 * What the QR encodes: `<public url>/m/oa/<code>`.
 */
url: string, 
/**
 * What the QR code holds.
 */
code: string, 
/**
 * The scene it counts followers for.
 */
scene: string | null, 
/**
 * When it stops working (Unix ms); none for a permanent code.
 */
expires_at: number | null, };

export type ScannedOfficialQr = { 
/**
 * The account.
 */
account: OfficialAccount, 
/**
 * The scene it came from.
 */
scene: string | null, };

export type SceneCount = { 
/**
 * The scene.
 */
scene: string | null, 
/**
 * Followers it brought.
 */
followers: number, };

export type SceneCounts = { 
/**
 * Followers per scene.
 */
scenes: Array<SceneCount>, };

export type CoreEvent = { "type": "view", view: AppView, } | { "type": "devices_changed" } | { "type": "connection", online: boolean, } | { "type": "chats_changed" } | { "type": "messages_changed", conversation_id: string, } | { "type": "contacts_changed" } | { "type": "transfer", transfer: Transfer, } | { "type": "wallet_changed" } | { "type": "moments_changed" } | { "type": "subscriptions_changed" } | { "type": "payment_received", payment: Payment, } | { "type": "export_progress", progress: ExportProgress, } | { "type": "call", call?: CallView, } | { "type": "incoming", message: Incoming, };

export type AppView = { "state": "signed_out", login: LoginView, 
/**
 * Why the user is here, when it is not obvious ("signed out from another device").
 */
notice?: LoginNotice, } | { "state": "signed_in", user: UserProfile, };

export type LoginView = { "step": "choose_server", current?: string, } | { "step": "starting" } | { "step": "qr", svg: string, url: string, expires_at: number, } | { "step": "scanned", user: UserProfile, code: string, remembered: boolean, } | { "step": "expired" } | { "step": "declined" } | { "step": "unreachable", 
/**
 * The server's address.
 */
server: string, 
/**
 * What the server said, when it answered (e.g. too many tries); none when it is out of
 * reach.
 */
error?: UiError, retry_in_secs: number, } | { "step": "remembered", user: UserProfile, };

export type XinLink = { "kind": "user", handle: string, } | { "kind": "chat", conversation: string, };

export type UiError = { 
/**
 * What went wrong, for the UI to choose its words by.
 */
code: UiCode, 
/**
 * The sentence, in English: the server's words or the app's own.
 */
message: string, };

export type UiCode = ErrorCode | LocalCode;

export type LocalCode = "unreachable" | "protocol" | "vault" | "cache" | "file" | "signed_out" | "cancelled" | "nothing_dropped" | "";

export type ChatSummary = { 
/**
 * The conversation.
 */
conversation: Conversation, 
/**
 * The last message as one line ("Bob: see you at 9").
 */
preview: string, 
/**
 * When that last message is a system line: what happened, for the UI to say it in the
 * reader's language (`preview` has the English words).
 */
preview_event?: SystemEvent, 
/**
 * When the chat last saw a message (Unix ms); the list is ordered by it.
 */
last_activity: number, 
/**
 * Text typed but not sent, kept across restarts.
 */
draft: string, };

export type SendState = "sent" | "pending" | "failed";

export type ChatMessage = { 
/**
 * The message.
 */
message: Message, 
/**
 * Sent, pending or failed.
 */
state: SendState, 
/**
 * Its file's upload or download, when there is one.
 */
transfer: Transfer | null, };

export type ContactsView = { 
/**
 * Friends, by name.
 */
contacts: Array<Contact>, 
/**
 * Newest first.
 */
requests: Array<FriendRequest>, };

export type FriendCard = { 
/**
 * Whose card it is.
 */
user: UserProfile, 
/**
 * What the QR code holds.
 */
url: string, 
/**
 * The QR code, as SVG.
 */
svg: string, };

export type PhoneCode = { 
/**
 * What the QR code holds.
 */
url: string, 
/**
 * The QR code, as SVG.
 */
svg: string, };

export type ExportProgress = { conversation_id: string, 
/**
 * Messages written so far, and in all (0 of 0 while the history is still being fetched).
 */
done: number, total: number, 
/**
 * The export's folder, once it is finished.
 */
folder: string | null, };

export type ReceiveCode = { 
/**
 * What the QR code holds.
 */
url: string, 
/**
 * The QR code, as SVG.
 */
svg: string, 
/**
 * The amount asked for, if set.
 */
amount_fen: number | null, 
/**
 * The note shown to the payer.
 */
note: string, };

export type Incoming = { conversation_id: string, 
/**
 * The chat's title (group name or the friend's name/remark).
 */
title: string, sender: string, 
/**
 * The message in one line, in the user's language.
 */
text: string, muted: boolean, group: boolean, 
/**
 * Mentions this user (or @all): notifies even when the group is muted.
 */
mentions_me: boolean, };

export type AppSettings = { 
/**
 * Show the sender and text in desktop notifications.
 */
notification_previews: boolean, };

export type Language = "en" | "zh-CN";

export type LoginNotice = { "kind": "signed_out_elsewhere" } | { "kind": "session_expired" } | { "kind": "scan_to_log_in" } | { "kind": "no_longer_remembered" } | { "kind": "declined" } | { "kind": "not_confirmed" } | { "kind": "failed", error: UiError, };

export type Transfer = { 
/**
 * The transfer's own id.
 */
id: string, 
/**
 * Up or down.
 */
direction: Direction, 
/**
 * The chat the file is in.
 */
conversation_id: string, 
/**
 * The file's name as the chat shows it.
 */
name: string, 
/**
 * Up: the file picked. Down: where it is (or will be) saved.
 */
path: string, 
/**
 * The file's size in bytes.
 */
size: number, 
/**
 * Bytes verified by the other side.
 */
done: number, 
/**
 * Where it is.
 */
state: TransferState, 
/**
 * Why it failed, for the UI to say in the reader's language.
 */
error: UiError | null, 
/**
 * Bytes per second right now (0 when not running).
 */
speed: number, 
/**
 * When it was queued (Unix ms).
 */
created_at: number, };

export type Direction = "up" | "down";

export type TransferState = "preparing" | "queued" | "running" | "paused" | "failed" | "done" | "cancelled";

export type MomentNoticeView = { 
/**
 * The event it came with; newer is higher.
 */
seq: number, 
/**
 * Who liked or commented on which post.
 */
notice: MomentNotice, 
/**
 * The post's first picture, if it has one and is cached.
 */
post_image: string | null, 
/**
 * The post's text, when it has no picture.
 */
post_text: string, 
/**
 * Not yet seen on the notices page.
 */
unread: boolean, };

export type MomentsBadge = { 
/**
 * Likes, comments and replies I have not read.
 */
unread: number, 
/**
 * Who sent the newest of them (its avatar sits on the icon).
 */
newest: MomentUser | null, 
/**
 * A friend who posted since I last opened Moments (a dot when nothing is unread).
 */
new_post_by: MomentUser | null, };

export type OfficialUnread = { 
/**
 * The official account.
 */
account_id: string, 
/**
 * Known once a broadcast told it; messages alone do not say.
 */
kind: OfficialKind | null, 
/**
 * Broadcasts not yet read.
 */
broadcasts: number, 
/**
 * Chat messages from the account not yet read.
 */
messages: number, };

export type MessageHit = { 
/**
 * The message.
 */
message: Message, 
/**
 * The chat it is in, as the chat list names it.
 */
conversation_title: string, };

export type SearchResults = { 
/**
 * Contacts whose name, remark or handle holds the query.
 */
contacts: Array<Contact>, 
/**
 * Chats whose name matches (groups, and direct chats by the friend's name).
 */
chats: Array<Conversation>, 
/**
 * Messages that hold it, newest first.
 */
messages: Array<MessageHit>, 
/**
 * Moments posts in my cached timeline whose text or link title matches, newest first.
 */
posts: Array<Post>, 
/**
 * Articles delivered to me (as Subscriptions last showed them) whose title or digest
 * matches, newest first.
 */
articles: Array<ArticleHit>, };

export type ArticleHit = { 
/**
 * The article.
 */
article: ArticleCard, 
/**
 * The account that sent it.
 */
account_name: string, };

export type PastedImage = { conversation: string, 
/**
 * The name the file gets in the chat.
 */
name: string, };

export type VoiceRecording = { conversation: string, duration_ms: number, 
/**
 * Loudness samples for the bubble's waveform, 0–255.
 */
waveform: Array<number>, };

export type CallView = { call: Call, 
/**
 * The other person, under the name this user gave them.
 */
peer: UserProfile, 
/**
 * They are calling me (rather than I them).
 */
incoming: boolean, 
/**
 * The media is up (ICE and DTLS): the timer runs.
 */
connected: boolean, 
/**
 * When this device learned of the answer (Unix ms): both ends count from their own receipt
 * of the same push, so their timers agree within the push's latency.
 */
answered_seen_at?: number, muted: boolean, camera_on: boolean, 
/**
 * Whether the other person's camera is on (they say when they turn it off).
 */
peer_camera_on: boolean, 
/**
 * Whether pictures are exchanged: a video call not switched to voice.
 */
video: boolean, };

export type CallVideo = { remote: string, local: string, };

export type MediaDevice = { id: string, name: string, };

export type CallDevices = { microphones: Array<MediaDevice>, speakers: Array<MediaDevice>, cameras: Array<MediaDevice>, };

export type CallDeviceChoice = { microphone?: string, speaker?: string, camera?: string, };

export type MediaStats = { 
/**
 * Whether ICE and DTLS are up.
 */
connected: boolean, 
/**
 * RTP packets and bytes of sound received.
 */
audio_packets: number, audio_bytes: number, 
/**
 * From the start of this end's media (the answer) to the first sound packet.
 */
first_audio_ms?: number, 
/**
 * From the start of this end's media to "connected".
 */
connect_ms?: number, 
/**
 * When the received sound last rose out of silence (Unix µs), for latency measurements.
 */
rose_at_us?: number, 
/**
 * The received sound's loudness (RMS, dBFS) and its strongest frequency, in test mode.
 */
level_db?: number, tone_hz?: number, 
/**
 * Video frames decoded, and their size.
 */
frames_decoded: number, video_width?: number, video_height?: number, };
