import type { Call, Signal } from "../bindings";
import { authed } from "./api";

/** Why a call's media cannot start on this page, or null when it can. */
export function mediaUnavailable(): "insecure" | "unsupported" | null {
  if (!window.isSecureContext) return "insecure";
  if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === "undefined") return "unsupported";
  return null;
}

/**
 * One device's side of an answered call: the browser's own WebRTC, set up over the server's
 * signals. The caller's device offers once the call is answered; the answering device answers.
 * Candidates trickle both ways as they are found. Sending starts only once the transport is up
 * (the tracks are added at once, but a browser sends nothing before ICE connects).
 */
export class CallMedia {
  readonly pc: RTCPeerConnection;
  readonly remote = new MediaStream();
  private local: MediaStream | null = null;
  private early: RTCIceCandidateInit[] = [];

  constructor(
    readonly call: Call,
    private onChange: () => void,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: call.ice_servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })) });
    this.pc.onicecandidate = (e) => {
      const c = e.candidate;
      const signal: Signal = c
        ? { type: "candidate", candidate: c.candidate, sdp_mid: c.sdpMid ?? undefined, sdp_m_line_index: c.sdpMLineIndex ?? undefined }
        : { type: "candidate", candidate: "" };
      this.send(signal);
    };
    this.pc.ontrack = (e) => {
      this.remote.addTrack(e.track);
      this.onChange();
    };
    this.pc.onconnectionstatechange = () => this.onChange();
    // The running call's connection, for its statistics from the browser's console (and the
    // end-to-end tests): `await __xinCall.getStats()`.
    (window as unknown as { __xinCall?: RTCPeerConnection }).__xinCall = this.pc;
  }

  private send(signal: Signal) {
    authed("POST", `/calls/${this.call.id}/signal`, { signal }).catch(() => {});
  }

  /** The microphone (and camera for a video call), added to the connection. */
  async open(video: boolean): Promise<MediaStream> {
    this.local = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video });
    for (const track of this.local.getTracks()) this.pc.addTrack(track, this.local);
    return this.local;
  }

  /** The caller's side, once the call is answered. */
  async offer() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.send({ type: "offer", sdp: offer.sdp ?? "" });
  }

  /** What the other device sent. */
  async receive(signal: Signal) {
    if (signal.type === "offer") {
      await this.pc.setRemoteDescription({ type: "offer", sdp: signal.sdp });
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.send({ type: "answer", sdp: answer.sdp ?? "" });
      await this.flush();
    } else if (signal.type === "answer") {
      await this.pc.setRemoteDescription({ type: "answer", sdp: signal.sdp });
      await this.flush();
    } else if (signal.type === "candidate" && signal.candidate !== "") {
      const candidate = { candidate: signal.candidate, sdpMid: signal.sdp_mid ?? null, sdpMLineIndex: signal.sdp_m_line_index ?? null };
      // A candidate can come before the description it belongs to.
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(candidate);
      else this.early.push(candidate);
    }
  }

  private async flush() {
    for (const c of this.early.splice(0)) await this.pc.addIceCandidate(c);
  }

  /** Mutes or unmutes the microphone; answers whether it is now muted. */
  toggleMute(): boolean {
    const tracks = this.local?.getAudioTracks() ?? [];
    const muted = tracks.some((t) => t.enabled);
    tracks.forEach((t) => (t.enabled = !muted));
    return muted;
  }

  /** This phone's own microphone and camera, for the self-view. */
  get localStream(): MediaStream | null {
    return this.local;
  }

  /**
   * Turns the camera off or on for a while: the track stays (so no new offer is needed) but
   * sends black, and the other side is told to show the avatar instead.
   */
  setCamera(on: boolean) {
    this.local?.getVideoTracks().forEach((t) => (t.enabled = on));
    this.send({ type: "camera", on });
  }

  /** Stops sending pictures: the camera goes off (the call goes on as voice). */
  stopCamera() {
    this.local?.getVideoTracks().forEach((t) => t.stop());
  }

  close() {
    this.local?.getTracks().forEach((t) => t.stop());
    this.pc.close();
  }
}
