import { convertFileSrc } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { localError } from "../shared/errors";
import type { CoreEvent, MiniProgramOrder, UiError } from "../bindings";
import { commands } from "./commands";

/** The shell's commands, typed from their Rust declarations (see commands.ts). Errors arrive as UiError. */
export const ipc = commands;

/** Where the UI loads a cached photo, thumbnail or voice message from (the app's own scheme). */
export function mediaUrl(hash: string): string {
  return convertFileSrc(hash, "xin-media");
}

/** A question a mini-program asks the user, shown in Xin's own window. */
export type MiniProgramAsk = { id: number; name: string; icon: string } & ({ kind: "profile" } | { kind: "payment"; order: MiniProgramOrder });

export function onMiniProgramAsk(handler: (a: MiniProgramAsk) => void): Promise<UnlistenFn> {
  return listen<MiniProgramAsk>("xin://mini-program-ask", (e) => handler(e.payload));
}

export function onCoreEvent(handler: (e: CoreEvent) => void): Promise<UnlistenFn> {
  return listen<CoreEvent>("xin://event", (e) => handler(e.payload));
}

/** `xin://` links are waiting (a browser or another program opened one): take them with
 *  `ipc.takeLinks()`. */
export function onLinks(handler: () => void): Promise<UnlistenFn> {
  return listen("xin://links", () => handler());
}

export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) return localError((e as UiError).code, String((e as UiError).message));
  return String(e);
}
