// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "../bindings";
import { PhoneMedia } from "./Chats";

const HASH = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
const blob = { hash: HASH, size: 2048 };
const message = (content: Message["content"]) => ({ id: "m", conversation_id: "c", sender: "u", seq: 1, client_id: "x", content, sent_at: 0 }) as unknown as Message;

/** When the link in an address runs out, in Unix seconds. */
const expiry = (address: string | null) => Number(/link=[^.]+\.(\d+)\./.exec(address ?? "")?.[1]);
const nowSecs = () => Math.floor(Date.now() / 1000);

describe("a file's address on the phone", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-24T10:10:00Z"));
    localStorage.setItem("xin.session", JSON.stringify({ user: { id: "u" }, device_id: "d", access: "T", refresh: "R", media: { session: "0193a1b2-0000-7000-8000-000000000001", key: "07".repeat(32) } }));
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    localStorage.clear();
  });

  it("a download tapped hours after the chat was opened gets a link that is still good", () => {
    render(<PhoneMedia m={message({ type: "file", blob, name: "Scans.pdf", media_type: "application/pdf" })} onView={() => {}} />);
    const link = screen.getByTestId("phone-file");
    expect(expiry(link.getAttribute("href"))).toBeGreaterThan(nowSecs() + 3600);
    vi.setSystemTime(new Date("2026-11-24T13:30:00Z"));
    expect(expiry(link.getAttribute("href"))).toBeLessThan(nowSecs());
    fireEvent.click(link);
    expect(expiry(link.getAttribute("href"))).toBeGreaterThan(nowSecs() + 3600);
  });

  it("a voice message played hours later plays from a fresh link", () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue();
    render(<PhoneMedia m={message({ type: "voice", blob: blob, duration_ms: 3000, waveform: [] } as unknown as Message["content"])} onView={() => {}} />);
    vi.setSystemTime(new Date("2026-11-24T13:30:00Z"));
    fireEvent.click(screen.getByTestId("phone-voice"));
    expect(expiry(screen.getByTestId("phone-voice").querySelector("audio")!.getAttribute("src"))).toBeGreaterThan(nowSecs() + 3600);
    expect(play).toHaveBeenCalledOnce();
  });

  it("a video whose link ran out loads again once with a fresh one, and not again if that fails", () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue();
    render(<PhoneMedia m={message({ type: "video", blob: blob, thumbnail: null, width: 320, height: 180, duration_ms: 4000 } as unknown as Message["content"])} onView={() => {}} />);
    const video = screen.getByTestId("phone-video");
    vi.setSystemTime(new Date("2026-11-24T13:30:00Z"));
    fireEvent.error(video);
    const fresh = video.getAttribute("src");
    expect(expiry(fresh)).toBeGreaterThan(nowSecs() + 3600);
    expect(play).toHaveBeenCalledOnce();
    fireEvent.error(video);
    expect(video.getAttribute("src")).toBe(fresh);
    expect(play).toHaveBeenCalledOnce();
  });
});
