import type { UserProfile } from "../bindings";

/** Initials on a coloured rounded square until people can upload pictures. */
export function Avatar({ user, size = 40 }: { user: Pick<UserProfile, "display_name" | "avatar_hue">; size?: number }) {
  const initial = [...user.display_name.trim()][0]?.toUpperCase() ?? "?";
  return (
    <div
      className="avatar"
      role="img"
      aria-label={user.display_name}
      style={{
        width: size,
        height: size,
        fontSize: Math.round(size * 0.45),
        background: `hsl(${user.avatar_hue} 55% 52%)`,
        borderRadius: Math.max(4, Math.round(size * 0.12)),
      }}
    >
      {initial}
    </div>
  );
}
