import { useEffect, useState } from "react";
import type { CallVideo, CallView } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { CallButton, endedLine, mmss } from "../shared/callScreen";
import { useT } from "../shared/i18n";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { useCallTone } from "./callTone";

/**
 * The call window's view: ringing in (accept, decline, answer a video call with voice), calling
 * out (ringback, cancel), in the call (timer, mute, camera, the two pictures, the small
 * floating window, hang up), then a moment of how it ended. The engine runs the call; this
 * only draws what it says and asks it to act.
 */
export function CallWindow() {
  const t = useT();
  const [view, setView] = useState<CallView | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(Date.now());
  const [mini, setMini] = useState(false);
  const [swapped, setSwapped] = useState(false);
  const [video, setVideo] = useState<CallVideo | null>(null);

  useEffect(() => {
    const unlisten = onCoreEvent((e) => {
      if (e.type === "call") setView(e.call ?? null);
    });
    ipc.currentCall().then(setView, () => {});
    ipc.callVideo().then(setVideo, () => {});
    const tick = setInterval(() => setNow(Date.now()), 250);
    return () => {
      clearInterval(tick);
      unlisten.then((f) => f());
    };
  }, []);

  const ringing = view?.call.state === "ringing";
  useCallTone(ringing ? (view?.incoming ? "ring" : "ringback") : null);

  if (!view) return <div className="call-window" data-testid="call-window" data-state="none" />;
  const { call, peer } = view;
  const act = (p: Promise<unknown>) => p.catch((e) => setError(errorText(e)));
  const showVideo = view.video && call.state === "active" && video !== null;
  // The other turned their camera off: their avatar, not their last picture frozen.
  const peerOff = showVideo && !view.peer_camera_on;

  let status: string;
  if (call.state === "ringing") status = view.incoming ? (call.kind === "video" ? t("invites you to a video call") : t("invites you to a voice call")) : t("Waiting for the other person to accept…");
  else if (call.state === "active") status = view.connected && view.answered_seen_at ? mmss((now - view.answered_seen_at) / 1000) : t("Connecting…");
  else status = endedLine(t, call);

  const toggleMini = () => {
    setMini(!mini);
    act(ipc.setCallWindowMini(!mini));
  };

  return (
    <div className={["call-window", showVideo ? "video" : "", mini ? "mini" : ""].join(" ")} data-testid="call-window" data-state={call.state} data-outcome={call.outcome ?? ""} data-connected={view.connected}>
      {showVideo && video && peerOff && !mini && <img className="call-small-picture" src={video.local} alt="" data-testid="call-local-video" />}
      {showVideo && video && !peerOff && (
        <>
          <img className="call-big-picture" src={swapped ? video.local : video.remote} alt="" data-testid="call-remote-video" />
          {!mini && <img className="call-small-picture" src={swapped ? video.remote : video.local} alt="" onClick={() => setSwapped(!swapped)} title={t("Swap pictures")} data-testid="call-local-video" />}
        </>
      )}
      {call.state === "active" && (
        <button className="call-mini-toggle" onClick={toggleMini} title={mini ? t("Full size") : t("Small floating window")} aria-label={mini ? t("Full size") : t("Small floating window")} data-testid="call-mini">
          {mini ? "⤢" : "⤡"}
        </button>
      )}
      <div className="call-peer">
        {(!showVideo || peerOff) && <Avatar user={peer} size={mini ? 56 : 96} />}
        <b data-testid="call-peer">{peer.display_name}</b>
        {!mini && (peerOff ? <span className="call-kind" data-testid="call-peer-camera-off">{t("The other person's camera is off")}</span> : <span className="call-kind">{call.kind === "video" && view.video ? t("Video call") : t("Voice call")}</span>)}
        <span className="call-status" data-testid="call-status">
          {status}
        </span>
        {error && <p className="call-warning">{error}</p>}
      </div>
      {!mini && (
        <div className="call-actions">
          {ringing && view.incoming && (
            <>
              <CallButton label={t("Decline")} icon="close" tone="red" onClick={() => act(ipc.declineCall())} testid="call-decline" />
              {call.kind === "video" && <CallButton label={t("Answer with voice")} icon="call" tone="grey" onClick={() => act(ipc.acceptCall(true))} testid="call-accept-voice" />}
              <CallButton label={t("Accept")} icon={call.kind === "video" ? "videocall" : "call"} tone="green" onClick={() => act(ipc.acceptCall(false))} testid="call-accept" />
            </>
          )}
          {ringing && !view.incoming && <CallButton label={t("Cancel")} icon="close" tone="red" onClick={() => act(ipc.hangUp())} testid="call-cancel" />}
          {call.state === "active" && (
            <>
              <CallButton label={view.muted ? t("Unmute") : t("Mute")} icon="mic" tone={view.muted ? "white" : "grey"} onClick={() => act(ipc.setCallMuted(!view.muted))} testid="call-mute" />
              {view.video && <CallButton label={t("Switch to voice")} icon="call" tone="grey" onClick={() => act(ipc.switchCallToVoice())} testid="call-switch-voice" />}
              {view.video && <CallButton label={view.camera_on ? t("Camera off") : t("Camera on")} icon="videocall" tone={view.camera_on ? "grey" : "white"} onClick={() => act(ipc.setCallCamera(!view.camera_on))} testid="call-camera" />}
              <CallButton label={t("Hang up")} icon="close" tone="red" onClick={() => act(ipc.hangUp())} testid="call-hangup" />
            </>
          )}
        </div>
      )}
      {mini && call.state === "active" && (
        <button className="call-mini-hangup" onClick={() => act(ipc.hangUp())} aria-label={t("Hang up")} data-testid="call-hangup">
          ✕
        </button>
      )}
    </div>
  );
}
