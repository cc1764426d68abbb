import { useEffect, useState } from "react";

/** Paths inside the companion, without the `/m` prefix: "/", "/scan", "/me", "/l/<ticket>". */
export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const on = () => setPath(current());
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return path;
}

function current(): string {
  const p = location.pathname.replace(/^\/m/, "");
  return p === "" ? "/" : p;
}

export function go(path: string) {
  history.pushState(null, "", `/m${path}`);
  window.dispatchEvent(new PopStateEvent("popstate"));
}
