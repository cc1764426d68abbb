import { localError } from "../shared/errors";
import { i18n } from "../shared/i18n";
import type { Content, ContactList, Conversation, ConversationList, DeviceInfo, DeviceList, ErrorBody, FriendRequest, MediaKey, Message, MessagePage, PendingLogins, ServerEvent, Session, TicketDetails, UserProfile, UserSearch } from "../bindings";
import { learnServerTime, linkExpiry, mediaLink, serverNowSecs } from "./mediaLink";

/** What the companion keeps between visits. The phone browser's storage is its keyring. */
type Stored = { user: UserProfile; device_id: string; access: string; refresh: string; media?: MediaKey };

/** The console (`/console/`) is another device of its own on the same origin: its own session. */
const KEY = typeof location !== "undefined" && location.pathname.startsWith("/console") ? "xin.console.session" : "xin.session";

/** What to tell the person about a failed call. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return localError(e.code, e.message);
  return e instanceof Error ? e.message : String(e);
}

export class ApiError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

export function device(): DeviceInfo {
  const ua = navigator.userAgent;
  const os = /Android [\d.]+/.exec(ua)?.[0] ?? /iPhone OS [\d_]+/.exec(ua)?.[0]?.replace(/_/g, ".").replace("iPhone OS", "iOS") ?? /Linux|Mac OS X|Windows/.exec(ua)?.[0] ?? "Phone";
  const browser = /EdgA?\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  return { name: `Xin on ${os.split(" ")[0]} (${browser})`, kind: "phone", os, app_version: "0.1.0" };
}

export function stored(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

export function store(s: Session) {
  const value: Stored = { user: s.user, device_id: s.device_id, access: s.access_token, refresh: s.refresh_token, media: s.media_key ?? stored()?.media };
  localStorage.setItem(KEY, JSON.stringify(value));
}

const endings = new Set<() => void>();

/** Calls `listener` when the session ends here: logged out, or its tokens refused because this
 * device was signed out elsewhere while the page was closed. Answers how to stop listening. */
export function onSessionEnd(listener: () => void): () => void {
  endings.add(listener);
  return () => endings.delete(listener);
}

/** Why the last session ended, when the sign-in page should say so. */
const ENDED = "xin.session-ended";

export function forget(why?: "session_expired") {
  localStorage.removeItem(KEY);
  if (why) localStorage.setItem(ENDED, why);
  endings.forEach((end) => end());
}

/** Why the last session ended (once: reading it clears it). */
export function endedBecause(): "session_expired" | null {
  const why = localStorage.getItem(ENDED);
  localStorage.removeItem(ENDED);
  return why === "session_expired" ? why : null;
}

/** The session is over for good: signed out elsewhere, or past its lifetime. */
function ended(e: ApiError): boolean {
  if (e.code === "session_expired") forget("session_expired");
  else if (e.code === "session_revoked" || e.code === "unauthorized") forget();
  else return false;
  return true;
}

/** The server words its rules in the language the reader chose here, not the browser's. */
function speaking(): Record<string, string> {
  return { "accept-language": i18n.language };
}

export async function request<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  let resp: Response;
  try {
    resp = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        ...speaking(),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError("unreachable", "Cannot reach the Xin server. Check your network.");
  }
  learnServerTime(resp);
  if (resp.status === 204) return undefined as T;
  const data: unknown = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = (data as ErrorBody | null)?.error;
    throw new ApiError(err?.code ?? "http", err?.message ?? `HTTP ${resp.status}`);
  }
  return data as T;
}

/** The refresh in flight. A refresh token works once: two calls that each refreshed with it
 * would look like a stolen token to the server, which then signs the device out. */
let refreshing: Promise<string> | null = null;

/** A fresh access token, from the one refresh in flight. */
function refreshed(): Promise<string> {
  const s = stored();
  if (!s) return Promise.reject(new ApiError("unauthorized", "Sign in first."));
  refreshing ??= request<Session>("POST", "/sessions/refresh", { refresh_token: s.refresh })
    .then(
      (next) => {
        store(next);
        return next.access_token;
      },
      (e: unknown) => {
        if (e instanceof ApiError) ended(e);
        throw e;
      },
    )
    .finally(() => (refreshing = null));
  return refreshing;
}

/**
 * Runs `call` with the access token; when the token is refused, once more with a newer one.
 * A refresh replaces the token, so a call still on its way with the old one is refused as
 * unknown: that is no sign-out, and it retries with the new token. Only when no newer token
 * can be had is the session forgotten.
 */
async function withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
  const s = stored();
  if (!s) throw new ApiError("unauthorized", "Sign in first.");
  try {
    return await call(s.access);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.code === "token_expired" || e.code === "unauthorized") {
      await refreshing?.catch(() => {});
      const now = stored()?.access;
      if (now && now !== s.access) return call(now);
      if (e.code === "token_expired") return call(await refreshed());
    }
    ended(e);
    throw e;
  }
}

/** An authenticated JSON call. */
export function authed<T>(method: string, path: string, body?: unknown): Promise<T> {
  return withToken((token) => request<T>(method, path, body, token));
}

/** A raw authenticated request (uploads speak tus, not JSON). */
export function authedFetch(path: string, init: RequestInit): Promise<Response> {
  return withToken(async (token) => {
    let resp: Response;
    try {
      resp = await fetch(`/api/v1${path}`, { ...init, headers: { ...speaking(), ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
    } catch {
      throw new ApiError("unreachable", "Cannot reach the Xin server. Check your network.");
    }
    if (resp.ok) return resp;
    const err = ((await resp.json().catch(() => null)) as ErrorBody | null)?.error;
    throw new ApiError(err?.code ?? "http", err?.message ?? `HTTP ${resp.status}`);
  });
}

/** A session stored before files had signed links has no media key; its next refresh brings
 * one. Says whether it did, so what shows files can load them again. */
export async function ensureMediaKey(): Promise<boolean> {
  const s = stored();
  if (!s || s.media) return false;
  await refreshed();
  return true;
}

/** A URL the browser can load a file from directly (an <img>, an <audio>, a download link):
 * a link signed for this one file, never the access token. */
export function blobUrl(hash: string): string {
  const media = stored()?.media;
  const link = media ? `?link=${mediaLink(media, hash, linkExpiry(serverNowSecs()))}` : "";
  return `/api/v1/blobs/${hash}${link}`;
}

/** A link lives an hour or two, and a page can stay open longer: an address signed when the page
 * drew it is signed again when it is used (a tap on a download, a play) or failed to load. Says
 * whether the address changed, so a failure is retried once, not for ever. */
export function freshLink(el: HTMLAnchorElement | HTMLImageElement | HTMLMediaElement, hash: string): boolean {
  const attribute = el instanceof HTMLAnchorElement ? "href" : "src";
  const fresh = blobUrl(hash);
  if (el.getAttribute(attribute) === fresh) return false;
  el.setAttribute(attribute, fresh);
  return true;
}

export const api = {
  async signIn(login: string, password: string) {
    store(await request<Session>("POST", "/sessions", { login, password, device: device() }));
  },
  async signUp(handle: string, phone: string, display_name: string, password: string) {
    store(await request<Session>("POST", "/accounts", { handle, phone, display_name, password, device: device() }));
  },
  async signOut() {
    await authed<void>("DELETE", "/sessions/current").catch(() => {});
    forget();
  },
  devices: () => authed<DeviceList>("GET", "/devices"),
  removeDevice: (id: string) => authed<void>("DELETE", `/devices/${encodeURIComponent(id)}`),
  scan: (ticket: string) => authed<TicketDetails>("POST", `/login-tickets/${encodeURIComponent(ticket)}/scan`),
  confirm: (ticket: string, code?: string) => authed<void>("POST", `/login-tickets/${encodeURIComponent(ticket)}/confirm`, { code }),
  decline: (ticket: string) => authed<void>("POST", `/login-tickets/${encodeURIComponent(ticket)}/decline`),
  waiting: () => authed<PendingLogins>("GET", "/login-tickets/waiting"),
  conversations: () => authed<ConversationList>("GET", "/conversations"),
  history: (conv: string) => authed<MessagePage>("GET", `/conversations/${encodeURIComponent(conv)}/messages?limit=100`),
  send: (conv: string, text: string) =>
    authed<Message>("POST", `/conversations/${encodeURIComponent(conv)}/messages`, { client_id: uuidv7(), content: { type: "text", text, mentions: [], mention_all: false } }),
  sendContent: (conv: string, client_id: string, content: Content) => authed<Message>("POST", `/conversations/${encodeURIComponent(conv)}/messages`, { client_id, content }),
  fileTransfer: () => authed<Conversation>("POST", "/conversations/self"),
  markRead: (conv: string, seq: number) => authed<void>("POST", `/conversations/${encodeURIComponent(conv)}/read`, { seq }),
  contacts: () => authed<ContactList>("GET", "/contacts"),
  search: (q: string) => authed<UserSearch>("GET", `/users/search?q=${encodeURIComponent(q)}`),
  addFriend: (to: string, greeting: string) => authed<FriendRequest>("POST", "/friend-requests", { to, greeting }),
  answer: (id: string, accept: boolean) => authed<FriendRequest>("POST", `/friend-requests/${encodeURIComponent(id)}/answer`, { accept }),
  openDirect: (user: string) => authed<Conversation>("POST", "/conversations/direct", { with: user }),
};

/** A UUIDv7 (time-ordered) client id for a send: retries reuse it, so nothing is sent twice. */
export function uuidv7(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  const ms = Date.now();
  for (let i = 0; i < 6; i++) b[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Opens the realtime link; reconnects until `stop` is called. */
export function realtime(onEvent: (e: ServerEvent) => void): () => void {
  let ws: WebSocket | null = null;
  let stopped = false;
  let delay = 1000;
  const open = () => {
    const s = stored();
    if (!s || stopped) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    // A browser cannot give a WebSocket a header: a link signed for the socket, used at once,
    // stands in for the token. v=2 (xin_proto::WIRE_VERSION): group changes arrive as the
    // change, not the whole group.
    const link = s.media ? `link=${mediaLink(s.media, "realtime", serverNowSecs() + 60)}&` : "";
    ws = new WebSocket(`${proto}://${location.host}/api/v1/realtime?${link}v=2`);
    ws.onopen = () => (delay = 1000);
    ws.onmessage = (m) => {
      try {
        onEvent(JSON.parse(String(m.data)) as ServerEvent);
      } catch {
        /* not ours */
      }
    };
    ws.onclose = () => {
      if (!stopped) setTimeout(open, (delay = Math.min(delay * 2, 30_000)));
    };
  };
  open();
  return () => {
    stopped = true;
    ws?.close();
  };
}

/** The Xin ID inside a friend card's URL (`…/m/u/<handle>`), or null. */
export function handleFromUrl(text: string): string | null {
  const m = /\/m\/u\/([A-Za-z][A-Za-z0-9_]{2,31})\/?$/.exec(text.trim());
  return m?.[1] ?? null;
}

/** The code inside an official account's QR (`…/m/oa/<code>`), or null. */
export function officialFromUrl(text: string): string | null {
  const m = /\/m\/oa\/([A-Za-z0-9_-]{16,64})\/?$/.exec(text.trim());
  return m?.[1] ?? null;
}

/** The mini-program inside its QR code's URL (`…/m/mp/<id>`), or null. */
export function miniProgramFromUrl(text: string): string | null {
  const m = /\/m\/mp\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/.exec(text.trim());
  return m?.[1] ?? null;
}

/** The ticket id inside a login QR's URL (`…/m/l/<ticket>`), or null for anything else. */
export function ticketFromUrl(text: string): string | null {
  const m = /\/m\/l\/([A-Za-z0-9_-]{16,64})\/?$/.exec(text.trim());
  return m?.[1] ?? null;
}

/** A receive code's page inside the companion (`/pay/<handle>?fen=…&note=…`), or null. */
export function payFromUrl(text: string): string | null {
  try {
    const url = new URL(text.trim());
    const m = /^\/m\/pay\/([A-Za-z][A-Za-z0-9_]{2,31})\/?$/.exec(url.pathname);
    return m ? `/pay/${m[1]}${url.search}` : null;
  } catch {
    return null;
  }
}
