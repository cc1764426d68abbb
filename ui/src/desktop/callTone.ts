import { useEffect } from "react";

/**
 * The sounds of a ringing call, made with WebAudio so no sound file ships: the ringtone of an
 * incoming call (two short rising tones, again every two seconds) and the ringback the caller
 * hears while the other side rings (425 Hz, one second on, three off, as most of Europe and
 * China do).
 */
export type CallTone = "ring" | "ringback";

const PATTERNS: Record<CallTone, { period: number; notes: { at: number; hz: number; len: number }[] }> = {
  ring: { period: 2, notes: [ { at: 0, hz: 660, len: 0.35 }, { at: 0.45, hz: 880, len: 0.35 } ] },
  ringback: { period: 4, notes: [{ at: 0, hz: 425, len: 1 }] },
};

/** Plays `tone` while it is set; silence when it is null or the page has no audio output. */
export function useCallTone(tone: CallTone | null) {
  useEffect(() => {
    if (!tone || typeof AudioContext === "undefined") return;
    let ctx: AudioContext;
    try {
      ctx = new AudioContext();
    } catch {
      return;
    }
    const { period, notes } = PATTERNS[tone];
    let next = ctx.currentTime + 0.05;
    const schedule = () => {
      // Keeps a second of the pattern queued ahead of the clock.
      while (next < ctx.currentTime + 1) {
        for (const n of notes) {
          const osc = ctx.createOscillator();
          const gain = ctx.createGain();
          osc.frequency.value = n.hz;
          gain.gain.setValueAtTime(0, next + n.at);
          gain.gain.linearRampToValueAtTime(0.2, next + n.at + 0.02);
          gain.gain.setValueAtTime(0.2, next + n.at + n.len - 0.02);
          gain.gain.linearRampToValueAtTime(0, next + n.at + n.len);
          osc.connect(gain).connect(ctx.destination);
          osc.start(next + n.at);
          osc.stop(next + n.at + n.len);
        }
        next += period;
      }
    };
    schedule();
    const timer = setInterval(schedule, 250);
    return () => {
      clearInterval(timer);
      void ctx.close().catch(() => {});
    };
  }, [tone]);
}
