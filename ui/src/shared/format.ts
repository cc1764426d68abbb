import { i18n } from "./i18n";

/** "just now", "5 min ago", "14:05", "Yesterday", "3/21" — how chat apps show times (in the
 *  current language: "刚刚", "5分钟前", "昨天", "3月21日"). */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const t = i18n.t.bind(i18n);
  const diff = now - ms;
  if (diff < 60_000) return t("just now");
  if (diff < 3_600_000) return t("{{n}} min ago", { n: Math.floor(diff / 60_000) });
  const then = new Date(ms);
  const today = new Date(now);
  const sameDay = then.toDateString() === today.toDateString();
  if (sameDay) return then.toTimeString().slice(0, 5);
  const yesterday = new Date(now - 86_400_000);
  if (then.toDateString() === yesterday.toDateString()) return t("Yesterday");
  return t("{{month}}/{{day}}", { month: then.getMonth() + 1, day: then.getDate() });
}

/** The 2-digit code, spaced for reading aloud: "07" → "0 7". */
export function spacedCode(code: string): string {
  return [...code].join(" ");
}

/** "812 B", "1.4 MB", "2.1 GB": sizes as file managers show them (1 MB = 1024 KB). */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** "3 s left", "4 min left", "" when the speed is unknown. */
export function timeLeft(remaining: number, bytesPerSecond: number): string {
  if (bytesPerSecond <= 0 || remaining <= 0) return "";
  const s = Math.ceil(remaining / bytesPerSecond);
  const t = i18n.t.bind(i18n);
  if (s < 60) return t("{{n}} s left", { n: s });
  if (s < 3600) return t("{{n}} min left", { n: Math.ceil(s / 60) });
  return t("{{h}} h {{m}} min left", { h: Math.floor(s / 3600), m: Math.ceil((s % 3600) / 60) });
}

/** A voice message's length: 7", 1'05". */
export function voiceLength(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 60 ? `${s}"` : `${Math.floor(s / 60)}'${String(s % 60).padStart(2, "0")}"`;
}

/** A video's length as players show it: 0:07, 1:05, 1:02:03. */
export function clockLength(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Money as people read it: fen → "¥12.30". */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100).toLocaleString("en-US")}.${String(abs % 100).padStart(2, "0")}`;
}

/** What someone typed as an amount in yuan ("12", "12.3", "0.05") → fen; null if it is not one. */
export function parseYuan(text: string): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return fen > 0 ? fen : null;
}

/** "1 follower", "2 followers". */
export function followers(n: number): string {
  return n === 1 ? "1 follower" : `${n} followers`;
}
