import type { Content } from "../bindings";
import { waveform } from "../shared/voice";
import { uploadBlob } from "./upload";

/** Uploads a recording and answers the message content for it. */
export async function voiceContent(audio: Blob, ms: number, onProgress: (p: number) => void): Promise<Content> {
  const blob = await uploadBlob(audio, "voice.opus", (n) => onProgress(n / Math.max(1, audio.size)));
  return { type: "voice", blob, duration_ms: Math.max(1, Math.round(ms)), waveform: await waveform(audio) };
}
