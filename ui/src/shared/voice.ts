/** Recording voice messages, the same in the desktop WebView and a phone browser. */
/** WeChat's limit: a voice message is at most 60 seconds. */
export const MAX_VOICE_MS = 60_000;
const BARS = 32;

/** Records from the microphone as Opus until `stop()`; `cancel()` throws it away. */
export class VoiceRecorder {
  private chunks: Blob[] = [];
  private started = 0;
  private timer = 0;
  private done: Promise<Blob>;

  private constructor(
    private stream: MediaStream,
    private recorder: MediaRecorder,
    onLimit: () => void,
  ) {
    this.done = new Promise((resolve) => {
      recorder.ondataavailable = (e) => e.data.size > 0 && this.chunks.push(e.data);
      recorder.onstop = () => resolve(new Blob(this.chunks, { type: recorder.mimeType }));
    });
    this.started = Date.now();
    recorder.start(250);
    this.timer = window.setTimeout(onLimit, MAX_VOICE_MS);
  }

  static async start(onLimit: () => void): Promise<VoiceRecorder> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    const type = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/mp4;codecs=opus", "audio/mp4"].find((t) => MediaRecorder.isTypeSupported(t));
    return new VoiceRecorder(stream, new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 32_000 } : undefined), onLimit);
  }

  private finish() {
    window.clearTimeout(this.timer);
    if (this.recorder.state !== "inactive") this.recorder.stop();
    this.stream.getTracks().forEach((t) => t.stop());
  }

  elapsed(): number {
    return Date.now() - this.started;
  }

  /** The recording and its length. */
  async stop(): Promise<{ audio: Blob; ms: number }> {
    const ms = Math.min(MAX_VOICE_MS, this.elapsed());
    this.finish();
    return { audio: await this.done, ms };
  }

  cancel() {
    this.finish();
  }
}

/** Loudness per bar, 0–255, for the bubble's waveform. */
export async function waveform(audio: Blob): Promise<number[]> {
  try {
    const ctx = new AudioContext();
    const buf = await ctx.decodeAudioData(await audio.arrayBuffer());
    const data = buf.getChannelData(0);
    const per = Math.max(1, Math.floor(data.length / BARS));
    const bars: number[] = [];
    for (let b = 0; b < BARS; b++) {
      let sum = 0;
      for (let i = b * per; i < Math.min(data.length, (b + 1) * per); i++) sum += data[i]! * data[i]!;
      bars.push(Math.sqrt(sum / per));
    }
    const peak = Math.max(...bars, 1e-6);
    void ctx.close();
    return bars.map((v) => Math.round((v / peak) * 255));
  } catch {
    return [];
  }
}

