import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppView, CoreEvent, Device, UiError } from "../bindings";

/** Typed wrappers over the shell's commands. Errors arrive as UiError. */
export const ipc = {
  appView: () => invoke<AppView>("app_view"),
  serverUrl: () => invoke<string>("server_url"),
  refreshQr: () => invoke<void>("login_refresh_qr"),
  loginRemembered: () => invoke<void>("login_remembered"),
  switchAccount: () => invoke<void>("login_switch_account"),
  signOut: () => invoke<void>("sign_out"),
  devices: () => invoke<Device[]>("devices"),
  cachedDevices: () => invoke<Device[]>("cached_devices"),
  removeDevice: (id: string) => invoke<void>("remove_device", { id }),
};

export function onCoreEvent(handler: (e: CoreEvent) => void): Promise<UnlistenFn> {
  return listen<CoreEvent>("xin://event", (e) => handler(e.payload));
}

export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) return String((e as UiError).message);
  return String(e);
}
