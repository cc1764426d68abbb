import { useEffect, useRef, useState } from "react";
import type { Call, CallKind, Signal, UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { CallButton, endedLine, mmss } from "../shared/callScreen";
import { useT } from "../shared/i18n";
import { authed, errorMessage, stored } from "./api";
import { CallMedia, mediaUnavailable } from "./callMedia";

/** Where the page's current call's signals go: set by the call screen while it runs. */
export const callSignals: { current: ((from: string, s: Signal) => void) | null } = { current: null };

/** Rings `callee` from this phone; answers the call as the server made it. */
export function startCall(callee: string, kind: CallKind): Promise<Call> {
  return authed<Call>("POST", "/calls", { callee, kind });
}

/** Whether this device has a part in `call`: it rang from here, rings here, or was answered here. */
export function callIsMine(call: Call): boolean {
  const s = stored();
  if (!s) return false;
  if (call.caller_device === s.device_id) return true;
  if (call.callee !== s.user.id) return false;
  return call.state === "ringing" || call.callee_device === s.device_id || call.callee_device === undefined;
}


/**
 * The full-screen call: ringing in (accept, decline, answer a video call with voice), calling
 * out (cancel), in the call (timer from the answer, mute, hang up), and a moment of
 * how it ended.
 */
export function CallScreen({ call, peer, onClose }: { call: Call; peer: Pick<UserProfile, "display_name" | "avatar_hue"> | null; onClose: () => void }) {
  const t = useT();
  const me = stored();
  const outgoing = call.caller_device === me?.device_id;
  const [error, setError] = useState("");
  const [muted, setMuted] = useState(false);
  const [cameraOn, setCameraOn] = useState(true);
  const [peerCamera, setPeerCamera] = useState(true);
  // Counted from when this phone learned of the answer: the server pushes it to both phones
  // at once, so their timers agree (the server's Date header would be a second off).
  const [now, setNow] = useState(Date.now());
  const answeredHere = useRef<number | null>(null);
  if (call.state === "active" && answeredHere.current === null) answeredHere.current = Date.now();
  const [, redraw] = useState(0);
  const media = useRef<CallMedia | null>(null);
  const ready = useRef<Promise<void> | null>(null);
  // Signals that come before this phone's media exists (a desktop offers within a moment of
  // the answer), handed to it once it does, in order.
  const early = useRef<Signal[]>([]);
  const audio = useRef<HTMLAudioElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const self = useRef<HTMLVideoElement>(null);
  const unavailable = mediaUnavailable();
  const withVideo = call.kind === "video" && !call.voice_only;
  const mine = call.state === "active" && (outgoing || call.callee_device === me?.device_id);

  // The media starts once the call is answered on this device (the caller then offers).
  useEffect(() => {
    if (!mine || media.current || unavailable) return;
    const m = new CallMedia(call, () => redraw((n) => n + 1));
    media.current = m;
    ready.current = m.open(withVideo).then(
      async () => {
        for (const s of early.current.splice(0)) await m.receive(s);
        if (outgoing) await m.offer();
      },
      (e) => {
        setError(String(e));
        authed("POST", `/calls/${call.id}/hangup`, { failure: "media" }).catch(() => {});
      },
    );
  }, [mine, call, outgoing, withVideo, unavailable]);

  useEffect(() => {
    callSignals.current = (_from, s) => {
      if (s.type === "camera") return setPeerCamera(s.on);
      const m = media.current;
      if (m) ready.current = (ready.current ?? Promise.resolve()).then(() => m.receive(s)).catch((e) => setError(String(e)));
      else early.current.push(s);
    };
    return () => {
      callSignals.current = null;
    };
  }, []);

  useEffect(() => {
    if (call.state !== "ended") return;
    media.current?.close();
    media.current = null;
    const done = setTimeout(onClose, 2000);
    return () => clearTimeout(done);
  }, [call.state, onClose]);

  useEffect(() => () => media.current?.close(), []);

  // Switched to voice (here or by the other person): this phone's camera stops sending.
  useEffect(() => {
    if (call.voice_only) media.current?.stopCamera();
  }, [call.voice_only]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(tick);
  }, []);

  const remote = media.current?.remote;
  useEffect(() => {
    if (audio.current && remote && audio.current.srcObject !== remote) audio.current.srcObject = remote;
    if (video.current && remote && video.current.srcObject !== remote) video.current.srcObject = remote;
    const mine = media.current?.localStream;
    if (self.current && mine && self.current.srcObject !== mine) self.current.srcObject = mine;
  });

  const act = (path: string, body?: unknown) => authed<Call>("POST", `/calls/${call.id}/${path}`, body ?? {}).catch((e) => setError(errorMessage(e)));

  const toggleCamera = () => {
    media.current?.setCamera(!cameraOn);
    setCameraOn(!cameraOn);
  };
  const pictures = withVideo && call.state === "active";

  const kindLine = call.kind === "video" ? t("Video call") : t("Voice call");
  let status: string;
  if (call.state === "ringing") status = outgoing ? t("Waiting for the other person to accept…") : call.kind === "video" ? t("invites you to a video call") : t("invites you to a voice call");
  else if (call.state === "active") status = media.current?.pc.connectionState === "connected" ? mmss((now - (answeredHere.current ?? now)) / 1000) : t("Connecting…");
  else status = endedLine(t, call);

  return (
    <div className={pictures ? "call-screen video" : "call-screen"} data-testid="call-screen" data-state={call.state} data-outcome={call.outcome ?? ""}>
      {/* Kept while the other's camera is off, hidden: it picks up again without a new stream. */}
      {pictures && <video ref={video} className="call-remote-video" hidden={!peerCamera} autoPlay playsInline data-testid="call-remote-video" />}
      {pictures && <video ref={self} className="call-self-video" hidden={!cameraOn} autoPlay muted playsInline data-testid="call-self-video" />}
      <audio ref={audio} autoPlay data-testid="call-remote-audio" />
      <div className="call-peer">
        {peer && (!pictures || !peerCamera) && <Avatar user={peer} size={96} />}
        <b>{peer?.display_name ?? ""}</b>
        <span className="call-kind">{pictures && !peerCamera ? <span data-testid="call-peer-camera-off">{t("The other person's camera is off")}</span> : kindLine}</span>
        <span className="call-status" data-testid="call-status">
          {status}
        </span>
        {unavailable && call.state !== "ended" && (
          <p className="call-warning" data-testid="call-insecure">
            {unavailable === "insecure"
              ? t("Calls need a secure connection: open the companion over HTTPS (the server started with --tls-cert and --tls-key, or a TLS proxy in front of it), or on this computer at localhost.")
              : t("This browser cannot make calls.")}
          </p>
        )}
        {error && <p className="call-warning">{error}</p>}
      </div>
      <div className="call-actions">
        {call.state === "ringing" && !outgoing && (
          <>
            <CallButton label={t("Decline")} icon="close" tone="red" onClick={() => act("decline")} testid="call-decline" />
            {call.kind === "video" && <CallButton label={t("Answer with voice")} icon="call" tone="grey" onClick={() => act("accept", { voice_only: true })} testid="call-accept-voice" />}
            <CallButton label={t("Accept")} icon={call.kind === "video" ? "videocall" : "call"} tone="green" onClick={() => act("accept", { voice_only: false })} testid="call-accept" />
          </>
        )}
        {call.state === "ringing" && outgoing && <CallButton label={t("Cancel")} icon="close" tone="red" onClick={() => act("cancel")} testid="call-cancel" />}
        {call.state === "active" && (
          <>
            <CallButton label={muted ? t("Unmute") : t("Mute")} icon="mic" tone={muted ? "white" : "grey"} onClick={() => setMuted(media.current?.toggleMute() ?? muted)} testid="call-mute" />
            {withVideo && <CallButton label={t("Switch to voice")} icon="call" tone="grey" onClick={() => act("voice")} testid="call-switch-voice" />}
            {withVideo && <CallButton label={cameraOn ? t("Camera off") : t("Camera on")} icon="videocall" tone={cameraOn ? "grey" : "white"} onClick={toggleCamera} testid="call-camera" />}
            <CallButton label={t("Hang up")} icon="close" tone="red" onClick={() => act("hangup")} testid="call-hangup" />
          </>
        )}
      </div>
    </div>
  );
}
