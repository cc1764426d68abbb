import type { UserProfile } from "../bindings";

/** A picture when there is one (an official account's), else the initial on a coloured
 *  rounded square. `picture` is a URL the caller made from the blob (each app has its own path). */
export function Avatar({ user, size = 40, picture }: { user: Pick<UserProfile, "display_name" | "avatar_hue">; size?: number; picture?: string | null }) {
  const radius = Math.max(4, Math.round(size * 0.12));
  if (picture) {
    return <img className="avatar" src={picture} alt={user.display_name} width={size} height={size} style={{ width: size, height: size, borderRadius: radius, objectFit: "cover" }} />;
  }
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
        borderRadius: radius,
      }}
    >
      {initial}
    </div>
  );
}
