/** Common emoji, Unicode only (no images): the system's emoji font draws them. */
const EMOJI = [
  "😀", "😁", "😂", "🤣", "😊", "😍", "😘", "😎", "🤔", "😅", "😭", "😡", "😱", "🥳", "😴", "🙄",
  "👍", "👎", "👌", "🙏", "👏", "💪", "🤝", "👋", "❤️", "💔", "🔥", "🎉", "🌹", "☕", "🍺", "🧧",
  "✅", "❌", "⭐", "🌙", "☀️", "🌧️", "🎂", "🎁", "🐶", "🐱", "🐼", "🧗", "🏃", "🚗", "✈️", "📷",
];

export function EmojiPicker({ onPick, onClose }: { onPick: (e: string) => void; onClose: () => void }) {
  return (
    <div className="emoji-picker" role="dialog" aria-label="Emoji" onMouseLeave={onClose} data-testid="emoji-picker">
      {EMOJI.map((e) => (
        <button key={e} className="emoji" onClick={() => onPick(e)} aria-label={e}>
          {e}
        </button>
      ))}
    </div>
  );
}
