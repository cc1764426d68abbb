/** "just now", "5 min ago", "14:05", "Yesterday", "3/21" — how chat apps show times. */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const diff = now - ms;
  if (diff < 60_000) return "just now";
  if (diff < 3_600_000) return `${Math.floor(diff / 60_000)} min ago`;
  const then = new Date(ms);
  const today = new Date(now);
  const sameDay = then.toDateString() === today.toDateString();
  if (sameDay) return then.toTimeString().slice(0, 5);
  const yesterday = new Date(now - 86_400_000);
  if (then.toDateString() === yesterday.toDateString()) return "Yesterday";
  return `${then.getMonth() + 1}/${then.getDate()}`;
}

/** The 2-digit code, spaced for reading aloud: "07" → "0 7". */
export function spacedCode(code: string): string {
  return [...code].join(" ");
}
