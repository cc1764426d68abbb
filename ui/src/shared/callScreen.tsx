import type { Call } from "../bindings";
import { callLine } from "./contentLine";
import { Icon } from "./icons";
import "./callScreen.css";

/** A call's running time, as both call screens show it. */
export function mmss(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** How the call ended, in the chat line's words; a completed call just "ended" (the line has its duration). */
export function endedLine(t: (k: string) => string, call: Call): string {
  if (call.outcome === "completed") return t("Call ended");
  return callLine({ type: "call", call_id: call.id, kind: call.kind, outcome: call.outcome ?? "failed", duration_secs: 0 });
}

export type CallIcon = "close" | "call" | "videocall" | "mic" | "photo";

/** A round button with its label under it, as WeChat's call screens have. */
export function CallButton({ label, icon, tone, onClick, testid }: { label: string; icon: CallIcon; tone: string; onClick: () => void; testid: string }) {
  return (
    <button className={`call-button ${tone}`} onClick={onClick} data-testid={testid}>
      <span className="call-button-circle">
        <Icon name={icon} size={28} />
      </span>
      {label}
    </button>
  );
}
