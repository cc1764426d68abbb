import { useT } from "../shared/i18n";

/** Common emoji, Unicode only (no images): the system's emoji font draws them. */
const EMOJI = [
  "😀", "😁", "😂", "🤣", "😊", "😍", "😘", "😎", "🤔", "😅", "😭", "😡", "😱", "🥳", "😴", "🙄",
  "👍", "👎", "👌", "🙏", "👏", "💪", "🤝", "👋", "❤️", "💔", "🔥", "🎉", "🌹", "☕", "🍺", "🧧",
  "✅", "❌", "⭐", "🌙", "☀️", "🌧️", "🎂", "🎁", "🐶", "🐱", "🐼", "🧗", "🏃", "🚗", "✈️", "📷",
];

export function EmojiPicker({ onPick, onClose }: { onPick: (e: string) => void; onClose: () => void }) {
  const t = useT();
  return (
    <div className="emoji-picker" role="dialog" aria-label={t("Emoji")} onMouseLeave={onClose} data-testid="emoji-picker">
      {EMOJI.map((e) => (
        <button key={e} className="emoji" onClick={() => onPick(e)} aria-label={e}>
          {e}
        </button>
      ))}
    </div>
  );
}
