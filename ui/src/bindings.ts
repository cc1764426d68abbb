// Generated from the Rust types by `cargo xtask gen-types`. Do not edit.

export type ErrorCode = "invalid_request" | "payload_too_large" | "not_found" | "method_not_allowed" | "handle_taken" | "phone_taken" | "invalid_credentials" | "unauthorized" | "token_expired" | "session_revoked" | "rate_limited" | "ticket_not_found" | "ticket_expired" | "ticket_used" | "ticket_declined" | "wrong_poll_secret" | "wrong_code" | "device_not_remembered" | "device_not_found" | "internal";

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
remember_token?: string, };

export type Health = { status: string, version: string, };

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

export type ServerEvent = { "type": "hello", device_id: string, } | { "type": "signed_out", reason: string, } | { "type": "login_request", ticket: TicketDetails, } | { "type": "devices_changed" };

export type CoreEvent = { "type": "view", view: AppView, } | { "type": "devices_changed" } | { "type": "connection", online: boolean, };

export type AppView = { "state": "signed_out", login: LoginView, 
/**
 * Why the user is here, when it is not obvious ("signed out from another device").
 */
notice?: string, } | { "state": "signed_in", user: UserProfile, };

export type LoginView = { "step": "starting" } | { "step": "qr", svg: string, url: string, expires_at: number, } | { "step": "scanned", user: UserProfile, code: string, remembered: boolean, } | { "step": "expired" } | { "step": "declined" } | { "step": "unreachable", message: string, retry_in_secs: number, } | { "step": "remembered", user: UserProfile, };

export type UiError = { code: string, message: string, };
