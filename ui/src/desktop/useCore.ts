import { useEffect, useState } from "react";
import type { CoreEvent } from "../bindings";
import { onCoreEvent } from "./ipc";

/** Loads `load()` now and again whenever an engine event passes `when`. Cache reads are fast. */
export function useCached<T>(load: () => Promise<T>, when: (e: CoreEvent) => boolean, deps: unknown[]): T | null {
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let alive = true;
    const run = () => load().then((v) => alive && setValue(v), () => {});
    run();
    const unlisten = onCoreEvent((e) => {
      if (when(e)) run();
    });
    return () => {
      alive = false;
      unlisten.then((f) => f());
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}
