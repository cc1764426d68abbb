/** Line icons for the rail, drawn on a 24-unit grid. */
const paths: Record<string, string> = {
  chats: "M4 5h16v11H9l-5 4z",
  contacts: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8c0-3.5 3-6 7-6s7 2.5 7 6",
  moments: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 4l2 5-2 5-2-5z",
  wallet: "M3 7h18v12H3zM3 7l3-3h12l3 3M16 13h2",
  files: "M4 4h10l6 6v10H4zM14 4v6h6",
  settings: "M4 7h16M4 12h16M4 17h16",
};

export function Icon({ name, size = 24 }: { name: keyof typeof paths; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinejoin="round" strokeLinecap="round" aria-hidden="true">
      <path d={paths[name]} />
    </svg>
  );
}
