/** Line icons on a 24-unit grid, drawn here so they render the same everywhere (no emoji font). */
const paths = {
  chats: "M4 5h16v11H9l-5 4z",
  contacts: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8c0-3.5 3-6 7-6s7 2.5 7 6",
  moments: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 4l2 5-2 5-2-5z",
  wallet: "M3 7h18v12H3zM3 7l3-3h12l3 3M16 13h2",
  files: "M4 4h10l6 6v10H4zM14 4v6h6",
  settings: "M4 7h16M4 12h16M4 17h16",
  scan: "M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5M4 12h16",
  me: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9c0-4 3.6-7 8-7s8 3 8 7",
  phone: "M7 2h10v20H7zM11 18h2",
  laptop: "M5 5h14v10H5zM2 19h20",
  check: "M5 12l5 5 9-10",
  close: "M6 6l12 12M18 6L6 18",
  back: "M15 5l-7 7 7 7",
  refresh: "M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5",
  warning: "M12 3l10 18H2zM12 10v5M12 18v.5",
  photo: "M3 5h18v14H3zM3 16l5-5 4 4 3-3 6 6M15.5 8.5v.5",
  folder: "M3 6h6l2 2h10v11H3z",
  transfers: "M8 4v14M4 8l4-4 4 4M16 20V6M12 16l4 4 4-4",
  keyboard: "M3 7h18v10H3zM7 11h.01M11 11h.01M15 11h.01M8 14h8",
  miniprograms: "M5.5 12A3.5 3.5 0 1 1 9 8.5v7A3.5 3.5 0 1 1 5.5 12M18.5 12a3.5 3.5 0 1 1-3.5 3.5v-7A3.5 3.5 0 1 1 18.5 12",
  call: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  videocall: "M3 7h12v10H3zM15 10l6-3v10l-6-3",
  mic: "M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3",
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 24, stroke = 1.7 }: { name: IconName; size?: number; stroke?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={stroke} strokeLinejoin="round" strokeLinecap="round" aria-hidden="true">
      <path d={paths[name]} />
    </svg>
  );
}
