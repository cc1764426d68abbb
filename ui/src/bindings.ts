// Generated from the Rust types by `cargo xtask gen-types`. Do not edit.

export type ErrorCode = "invalid_request" | "payload_too_large" | "not_found" | "method_not_allowed" | "handle_taken" | "phone_taken" | "invalid_credentials" | "unauthorized" | "token_expired" | "session_revoked" | "session_expired" | "rate_limited" | "server_busy" | "ticket_not_found" | "ticket_expired" | "ticket_used" | "ticket_declined" | "wrong_poll_secret" | "wrong_code" | "device_not_remembered" | "device_not_found" | "user_not_found" | "already_friends" | "request_not_found" | "blocked" | "not_friends" | "conversation_not_found" | "not_allowed" | "message_not_found" | "recall_window_passed" | "group_full" | "charge_not_found" | "upload_not_found" | "offset_mismatch" | "checksum_mismatch" | "hash_mismatch" | "file_too_large" | "quota_exceeded" | "blob_not_found" | "insufficient_funds" | "idempotency_conflict" | "pin_not_set" | "wrong_pin" | "pin_locked" | "card_not_found" | "card_declined" | "transfer_not_found" | "transfer_settled" | "envelope_not_found" | "envelope_empty" | "already_grabbed" | "payment_code_invalid" | "self_payment" | "phone_only" | "post_not_found" | "comment_not_found" | "official_account_not_found" | "article_not_found" | "broadcast_limit" | "reply_window_closed" | "not_following" | "qr_code_expired" | "mini_program_not_found" | "invalid_package" | "version_exists" | "login_code_invalid" | "order_not_found" | "link_expired" | "internal";

export type ErrorBody = { error: ErrorDetail, };

export type ErrorDetail = { code: ErrorCode, 
/**
 * A sentence a person can read.
 */
message: string, };

export type UserProfile = { id: string, handle: string, display_name: string, 
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
password: string, device: DeviceInfo, };

export type SignInRequest = { 
/**
 * Handle or phone number.
 */
login: string, password: string, device: DeviceInfo, };

export type RefreshRequest = { refresh_token: string, };

export type MediaKey = { 
/**
 * The session the key belongs to: the first part of every link it signs.
 */
session: string, 
/**
 * 32 bytes, in hex.
 */
key: string, };

export type Session = { user: UserProfile, device_id: string, access_token: string, 
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

export type Health = { status: string, version: string, 
/**
 * The base URL phones reach this server at (for QR codes).
 */
public_url: string, };

export type DeviceKind = "desktop" | "phone";

export type DeviceInfo = { 
/**
 * e.g. "Alice's ThinkPad" (1–64 characters).
 */
name: string, kind: DeviceKind, 
/**
 * e.g. "Linux", "Android 15" (1–64 characters).
 */
os: string, 
/**
 * e.g. "0.1.0" (1–32 characters).
 */
app_version: string, };

export type Device = { id: string, name: string, kind: DeviceKind, os: string, app_version: string, 
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

export type DeviceList = { devices: Array<Device>, };

export type CreateTicketRequest = { device: DeviceInfo, };

export type RememberedLoginRequest = { remember_token: string, device: DeviceInfo, };

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

export type WaitTicketRequest = { poll_secret: string, 
/**
 * The state the desktop already knows; the call returns as soon as the state differs
 * from it, or after about 25 s with the same state.
 */
known: TicketPhase, };

export type TicketPhase = "pending" | "scanned" | "confirmed" | "declined" | "expired";

export type TicketState = { "phase": "pending", expires_at: number, } | { "phase": "scanned", user: UserProfile, 
/**
 * Two digits, "07".
 */
code: string, expires_at: number, } | { "phase": "confirmed", session: Session, } | { "phase": "declined" } | { "phase": "expired" };

export type TicketDetails = { ticket_id: string, device: DeviceInfo, 
/**
 * The address the desktop asked from.
 */
ip: string, 
/**
 * Unix milliseconds.
 */
created_at: number, expires_at: number, 
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

export type PendingLogins = { tickets: Array<TicketDetails>, };

export type ServerEvent = { "type": "hello", device_id: string, } | { "type": "signed_out", reason: string, 
/**
 * The session reached the server's absolute lifetime (nobody signed it out).
 */
expired: boolean, } | { "type": "login_request", ticket: TicketDetails, } | { "type": "devices_changed" } | { "type": "event", event: Event, };

export type UserSearch = { users: Array<UserProfile>, };

export type SendFriendRequest = { to: string, 
/**
 * Up to 100 characters ("Hi, I'm Alice from the climbing club").
 */
greeting: string, };

export type FriendRequestState = "pending" | "accepted" | "declined";

export type FriendRequest = { id: string, from: UserProfile, to: UserProfile, greeting: string, state: FriendRequestState, created_at: number, };

export type AnswerFriendRequest = { accept: boolean, };

export type Contact = { user: UserProfile, 
/**
 * The alias this user gave them; shown instead of their name everywhere.
 */
remark: string | null, since: number, 
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

export type ContactList = { contacts: Array<Contact>, requests: Array<FriendRequest>, };

export type ConversationKind = "direct" | "group" | "self_note";

export type Role = "owner" | "admin" | "member";

export type Member = { user: UserProfile, role: Role, };

export type Conversation = { id: string, kind: ConversationKind, 
/**
 * Group name; for a direct chat, the other person's name.
 */
title: string, announcement: string, members: Array<Member>, 
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
unread: number, pinned: boolean, muted: boolean, 
/**
 * False once this user left or was removed: history stays, nothing new arrives.
 */
active: boolean, };

export type Content = { "type": "text", text: string, 
/**
 * Users @-mentioned in the text.
 */
mentions: string[], 
/**
 * "@all" (owner and admins only).
 */
mention_all: boolean, } | { "type": "system", text: string, event?: SystemEvent, } | { "type": "image", blob: BlobRef, width: number, height: number, 
/**
 * A small JPEG/PNG shown until (or instead of) the full image.
 */
thumbnail?: BlobRef, 
/**
 * ThumbHash (base64): a blurred preview drawn before any byte is downloaded.
 */
placeholder: string, } | { "type": "file", blob: BlobRef, 
/**
 * Sanitised (see [`crate::file_name`]): no separators, no `..`, no control characters.
 */
name: string, media_type: string, } | { "type": "voice", blob: BlobRef, duration_ms: number, 
/**
 * Loudness, 0–255 per bar, for the bubble's waveform.
 */
waveform: Array<number>, } | { "type": "video", blob: BlobRef, thumbnail?: BlobRef, duration_ms: number, width: number, height: number, 
/**
 * The sender's file name (sanitised), for saving it.
 */
name: string, } | { "type": "transfer", transfer_id: string, amount_fen: number, note: string, } | { "type": "red_envelope", envelope_id: string, kind: EnvelopeKind, note: string, } | { "type": "article", article_id: string, title: string, cover: string | null, account_name: string, } | { "type": "mini_program", mini_program_id: string, name: string, publisher: string, } | { "type": "history", 
/**
 * "Chat history of Alice and Bob", or the group's.
 */
title: string, items: Array<HistoryItem>, } | { "type": "unsupported" };

export type HistoryItem = { sender_name: string, created_at: number, content: Content, };

export type BlobRef = { 
/**
 * BLAKE3 of the whole file, 64 lowercase hex digits.
 */
hash: string, size: number, };

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

export type Message = { id: string, conversation_id: string, 
/**
 * Position in the conversation: gap-free, the order everyone sees.
 */
seq: number, sender_id: string, 
/**
 * The sender's own id for it (UUIDv7); retries with the same id never make a second message.
 */
client_id: string, content: Content, reply_to: string | null, recalled: boolean, created_at: number, };

export type SendMessage = { client_id: string, content: Content, reply_to: string | null, };

export type CreateGroup = { title: string, members: string[], };

export type OpenDirect = { with: string, };

export type UpdateConversation = { title?: string, announcement?: string, };

export type MemberSettings = { pinned: boolean, muted: boolean, };

export type AddMembers = { users: string[], };

export type SetRole = { role: Role, };

export type MarkRead = { seq: number, };

export type MessagePage = { messages: Array<Message>, };

export type ConversationList = { conversations: Array<Conversation>, };

export type Event = { seq: number, at: number, body: EventBody, };

export type EventBody = { "type": "message_new", message: Message, 
/**
 * The receiving user's unread count in that conversation after it.
 */
unread: number, } | { "type": "message_recalled", conversation_id: string, message_id: string, } | { "type": "message_hidden", conversation_id: string, message_id: string, } | { "type": "conversation_updated", conversation: Conversation, } | { "type": "conversation_changed", conversation_id: string, title?: string, announcement?: string, } | { "type": "members_added", conversation_id: string, members: Array<Member>, } | { "type": "member_removed", conversation_id: string, user_id: string, } | { "type": "member_role_changed", conversation_id: string, user_id: string, role: Role, } | { "type": "read_marker", conversation_id: string, read_seq: number, unread: number, } | { "type": "friend_request", request: FriendRequest, } | { "type": "contact_updated", contact: Contact, } | { "type": "contact_removed", user_id: string, } | { "type": "wallet_changed", balance_fen: number, } | { "type": "transfer_changed", transfer: MoneyTransfer, } | { "type": "envelope_changed", envelope_id: string, conversation_id: string, } | { "type": "payment", payment: Payment, } | { "type": "charge", charge: PendingCharge, } | { "type": "moment_posted", post_id: string, author: MomentUser, } | { "type": "moment_notice", notice: MomentNotice, } | { "type": "moment_deleted", post_id: string, } | { "type": "official_broadcast", broadcast: Broadcast, } | { "type": "official_message", message: OfficialMessage, } | { "type": "unknown" };

export type EventPage = { events: Array<Event>, 
/**
 * The newest seq in this user's log (the client is current when it reaches it).
 */
head: number, };

export type Wallet = { balance_fen: number, has_pin: boolean, cards: Array<BankCard>, };

export type BankCard = { id: string, bank: string, 
/**
 * The card number's last four digits.
 */
last4: string, sandbox: boolean, };

export type AddCard = { number: string, };

export type SetPin = { pin: string, old_pin?: string, };

export type BankMove = { 
/**
 * Chosen by the client, once per intended movement: a retry with the same key returns the
 * first result and moves nothing again.
 */
idempotency_key: string, card_id: string, amount_fen: number, pin?: string, };

export type SendTransfer = { idempotency_key: string, conversation_id: string, amount_fen: number, note: string, pin: string, };

export type MoneyTransferState = "pending" | "accepted" | "declined" | "refunded";

export type MoneyTransfer = { id: string, conversation_id: string, sender_id: string, recipient_id: string, amount_fen: number, note: string, state: MoneyTransferState, created_at: number, expires_at: number, resolved_at: number | null, };

export type BillKind = "top_up" | "withdrawal" | "transfer_out" | "transfer_in" | "transfer_refund" | "envelope_sent" | "envelope_grabbed" | "envelope_returned" | "payment_out" | "payment_in";

export type Bill = { id: string, kind: BillKind, 
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
counterparty_name: string | null, memo: string, transfer_id: string | null, envelope_id: string | null, created_at: number, };

export type Bills = { bills: Array<Bill>, };

export type EnvelopeKind = "normal" | "lucky";

export type SendEnvelope = { idempotency_key: string, conversation_id: string, kind: EnvelopeKind, 
/**
 * The whole envelope (for a normal one: shares × the amount each gets).
 */
amount_fen: number, shares: number, note: string, pin: string, };

export type EnvelopeState = "open" | "finished" | "returned";

export type Grab = { user_id: string, amount_fen: number, at: number, };

export type Envelope = { id: string, conversation_id: string, sender_id: string, kind: EnvelopeKind, amount_fen: number, shares: number, note: string, state: EnvelopeState, 
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
best_luck: string | null, expires_at: number, };

export type Pay = { idempotency_key: string, payee_id: string, amount_fen: number, note: string, pin: string, };

export type PaymentVia = "receive_code" | "payment_code" | "mini_program";

export type Payment = { id: string, payer_id: string, payer_name: string, payee_id: string, payee_name: string, amount_fen: number, note: string, via: PaymentVia, created_at: number, };

export type Payee = { user_id: string, handle: string, display_name: string, avatar_hue: number, };

export type NewPaymentCode = { pin?: string, renew?: string, };

export type PaymentCode = { code: string, expires_at: number, };

export type Collect = { idempotency_key: string, code: string, amount_fen: number, note: string, };

export type ChargeState = "pending" | "paid" | "declined" | "expired";

export type PendingCharge = { id: string, payer_id: string, payer_name: string, payee_id: string, payee_name: string, amount_fen: number, note: string, state: ChargeState, 
/**
 * The payment, once the payer confirmed.
 */
payment: Payment | null, created_at: number, expires_at: number, };

export type ConfirmCharge = { pin: string, };

export type ResetPin = { password: string, pin: string, };

export type Visibility = "all" | "private" | "only" | "except";

export type LinkCard = { 
/**
 * An http or https address.
 */
url: string, title: string, description: string, 
/**
 * The page's picture, uploaded as a blob by the sharer.
 */
image: string | null, };

export type NewPost = { text: string, 
/**
 * Blob hashes of images I uploaded (or may read), in order.
 */
images: Array<string>, 
/**
 * A shared web page (a post has images or a link, not both).
 */
link: LinkCard | null, visibility: Visibility, 
/**
 * For `only` / `except`: chosen friends.
 */
users: string[], 
/**
 * For `only` / `except`: my contact tags (resolved to their friends when posting).
 */
tags: Array<string>, };

export type MomentUser = { id: string, display_name: string, avatar_hue: number, };

export type MomentComment = { id: string, author: MomentUser, 
/**
 * The person replied to, if a reply.
 */
reply_to: MomentUser | null, text: string, created_at: number, };

export type Post = { id: string, author: MomentUser, text: string, images: Array<string>, link: LinkCard | null, 
/**
 * Shown to the author only.
 */
visibility: Visibility | null, created_at: number, likes: Array<MomentUser>, comments: Array<MomentComment>, };

export type PostPage = { posts: Array<Post>, 
/**
 * Pass as `before` for the next page; null at the end.
 */
next: string | null, };

export type NewComment = { text: string, 
/**
 * The comment replied to, if a reply.
 */
reply_to?: string, };

export type AlbumWindow = "all" | "six_months" | "three_days";

export type MomentsSettings = { window: AlbumWindow, };

export type PersonMoments = { 
/**
 * Don't let them see my Moments.
 */
hide_mine: boolean, 
/**
 * Hide their Moments from my timeline.
 */
hide_theirs: boolean, };

export type ContactTags = { tags: Array<string>, };

export type MomentNoticeKind = "like" | "comment" | "reply";

export type MomentNotice = { post_id: string, kind: MomentNoticeKind, from: MomentUser, 
/**
 * The comment's text, for comments and replies.
 */
text: string, at: number, };

export type Named = { id: string, name: string, };

export type SystemEvent = { "kind": "group_created", by: Named, with: Array<Named>, } | { "kind": "renamed", by: Named, title: string, } | { "kind": "announcement_updated", by: Named, } | { "kind": "members_added", by: Named, users: Array<Named>, } | { "kind": "left", user: Named, } | { "kind": "removed", by: Named, user: Named, } | { "kind": "role_changed", user: Named, role: Role, };

export type MiniProgramPermission = "profile" | "payment";

export type MiniProgramManifest = { 
/**
 * The publisher's name for it: 3–32 of `a-z`, `0-9`, `-`; unique on the server.
 */
id: string, name: string, description: string, 
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
pages: Array<string>, permissions: Array<MiniProgramPermission>, 
/**
 * Hosts `xin.request()` may reach, over HTTPS only (`api.example.com`).
 */
domains: Array<string>, 
/**
 * Folders loaded only when used; everything else is the main package (at most 4 MiB).
 */
subpackages: Array<string>, };

export type MiniProgramRelease = { version: string, 
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
signature: string, published_at: number, };

export type MiniProgram = { id: string, 
/**
 * The manifest's `id`.
 */
app_id: string, name: string, description: string, 
/**
 * A `data:image/png;base64,…` URL.
 */
icon: string, 
/**
 * The official account that publishes it.
 */
account_id: string, publisher: string, permissions: Array<MiniProgramPermission>, domains: Array<string>, release: MiniProgramRelease, 
/**
 * Whether I pinned it, and when I last opened it (mine only).
 */
pinned: boolean, last_used: number | null, };

export type MiniProgramList = { mini_programs: Array<MiniProgram>, };

export type LoginCode = { code: string, expires_at: number, };

export type OrderState = "created" | "paid";

export type MiniProgramOrder = { id: string, mini_program_id: string, mini_program_name: string, out_trade_no: string, openid: string, description: string, amount_fen: number, 
/**
 * Who the money goes to: the publishing account.
 */
payee_name: string, state: OrderState, created_at: number, paid_at: number | null, };

export type MiniProgramRequest = { url: string, 
/**
 * GET, POST, PUT, PATCH or DELETE (GET when left out).
 */
method: string | null, headers: { [key in string]?: string }, body: string | null, };

export type MiniProgramResponse = { status: number, headers: { [key in string]?: string }, body: string, };

export type OfficialKind = "subscription" | "service";

export type NewOfficialAccount = { 
/**
 * Its Xin ID: 3–32 letters, digits and `_`, starting with a letter.
 */
handle: string, name: string, intro: string, kind: OfficialKind, };

export type OfficialAccount = { id: string, handle: string, name: string, intro: string, kind: OfficialKind, avatar_hue: number, 
/**
 * Blob hash of its picture; none: the initial on `avatar_hue`.
 */
avatar: string | null, followers: number, 
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

export type OfficialAccountList = { accounts: Array<OfficialAccount>, };

export type Follow = { 
/**
 * The QR code followed through (its scene is reported to the account).
 */
code?: string, };

export type NewArticle = { title: string, 
/**
 * Blob hash of the cover picture.
 */
cover?: string, digest: string, author: string, body_html: string, 
/**
 * "Read original": an http(s) address.
 */
source_url?: string, };

export type Article = { id: string, account_id: string, account_name: string, title: string, cover: string | null, digest: string, author: string, 
/**
 * Sanitised HTML: no scripts, styles, event handlers or remote content.
 */
body_html: string, source_url: string | null, created_at: number, reads: number, likes: number, wows: number, liked: boolean, wowed: boolean, };

export type ArticleCard = { id: string, title: string, cover: string | null, digest: string, };

export type Reaction = { liked: boolean, wowed: boolean, };

export type NewBroadcast = { 
/**
 * 1–8 of the account's articles, in order.
 */
articles: string[], 
/**
 * Only followers the account gave this tag.
 */
tag?: string, };

export type Broadcast = { id: string, account_id: string, account_name: string, account_kind: OfficialKind, account_hue: number, account_avatar: string | null, articles: Array<ArticleCard>, sent_at: number, 
/**
 * Followers it reached.
 */
delivered: number, };

export type BroadcastList = { broadcasts: Array<Broadcast>, };

export type FollowerTags = { tags: Array<string>, };

export type UpdateOfficialAccount = { name: string, intro: string, 
/**
 * Blob hash of a picture the owner uploaded; none removes it.
 */
avatar?: string, };

export type Follower = { user: UserProfile, since: number, 
/**
 * The scene of the QR code they followed through.
 */
scene: string | null, tags: Array<string>, };

export type FollowerList = { followers: Array<Follower>, 
/**
 * Every tag the account uses, for the tag pickers.
 */
tags: Array<string>, 
/**
 * Pass as `before` for the next page; none at the end.
 */
next: number | null, };

export type ArticleList = { articles: Array<Article>, };

export type MenuAction = { "type": "keyword", keyword: string, } | { "type": "article", article_id: string, } | { "type": "link", url: string, } | { "type": "mini_program", mini_program_id: string, };

export type MenuItem = { name: string, action: MenuAction, };

export type Menu = { name: string, items: Array<MenuItem>, };

export type OfficialMenu = { menus: Array<Menu>, };

export type KeywordReply = { 
/**
 * Matched against the whole message, ignoring case and surrounding spaces.
 */
keyword: string, reply: string, };

export type AutoReplies = { 
/**
 * Sent to each new follower; null or empty: none.
 */
on_follow: string | null, keywords: Array<KeywordReply>, 
/**
 * Sent when no keyword matches.
 */
default: string | null, };

export type OfficialMessage = { id: string, account_id: string, 
/**
 * The follower.
 */
user_id: string, 
/**
 * Written by the account (an auto-reply or its staff), not the follower.
 */
from_account: boolean, text: string, created_at: number, };

export type OfficialChat = { messages: Array<OfficialMessage>, menu: OfficialMenu, };

export type SendOfficialMessage = { text: string, 
/**
 * A menu's keyword item was tapped: only the answer shows.
 */
from_menu: boolean, };

export type StaffMessage = { text: string, };

export type InboxEntry = { user: UserProfile, last: OfficialMessage, 
/**
 * The follower wrote within the last 48 hours: staff may answer.
 */
can_reply: boolean, };

export type Inbox = { chats: Array<InboxEntry>, };

export type SetDeveloper = { 
/**
 * An http(s) address; null turns developer mode off.
 */
webhook_url: string | null, };

export type Developer = { webhook_url: string | null, 
/**
 * Signs deliveries and exchanges for access tokens. Keep it on your server.
 */
secret: string, };

export type WebhookEvent = { 
/**
 * The delivery id: the same on every retry, so receivers deduplicate by it.
 */
id: string, account_id: string, user_id: string, kind: WebhookKind, 
/**
 * The follower's message, or the tapped menu keyword.
 */
text: string | null, 
/**
 * For follows through a QR code: its scene value.
 */
scene: string | null, at: number, };

export type WebhookKind = "follow" | "unfollow" | "message" | "menu_keyword";

export type OfficialTokenRequest = { account_id: string, secret: string, };

export type OfficialToken = { access_token: string, 
/**
 * Seconds: 7 200.
 */
expires_in: number, };

export type ApiReply = { user_id: string, text: string, };

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
url: string, code: string, scene: string | null, expires_at: number | null, };

export type ScannedOfficialQr = { account: OfficialAccount, scene: string | null, };

export type SceneCount = { scene: string | null, followers: number, };

export type SceneCounts = { scenes: Array<SceneCount>, };

export type CoreEvent = { "type": "view", view: AppView, } | { "type": "devices_changed" } | { "type": "connection", online: boolean, } | { "type": "chats_changed" } | { "type": "messages_changed", conversation_id: string, } | { "type": "contacts_changed" } | { "type": "transfer", transfer: Transfer, } | { "type": "wallet_changed" } | { "type": "moments_changed" } | { "type": "subscriptions_changed" } | { "type": "payment_received", payment: Payment, } | { "type": "export_progress", progress: ExportProgress, } | { "type": "incoming", message: Incoming, };

export type AppView = { "state": "signed_out", login: LoginView, 
/**
 * Why the user is here, when it is not obvious ("signed out from another device").
 */
notice?: LoginNotice, } | { "state": "signed_in", user: UserProfile, };

export type LoginView = { "step": "starting" } | { "step": "qr", svg: string, url: string, expires_at: number, } | { "step": "scanned", user: UserProfile, code: string, remembered: boolean, } | { "step": "expired" } | { "step": "declined" } | { "step": "unreachable", 
/**
 * The server's address.
 */
server: string, 
/**
 * What the server said, when it answered (e.g. too many tries); none when it is out of
 * reach.
 */
error?: UiError, retry_in_secs: number, } | { "step": "remembered", user: UserProfile, };

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
