// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Transfer } from "../bindings";
import { setLanguage } from "../shared/i18n";
import { ipc } from "./ipc";
import { TransferBar } from "./MediaBubble";

vi.mock("./ipc", () => ({
  ipc: { pauseTransfer: vi.fn(), resumeTransfer: vi.fn(), cancelTransfer: vi.fn() },
  errorText: (e: { message?: string }) => e.message ?? String(e),
  mediaUrl: (hash: string) => `xin-media://localhost/${hash}`,
}));

const MiB = 1024 * 1024;
/** What the bar says: how far on the left, how fast and how long (or its state) on the right. */
const said = () => {
  const bar = screen.getByTestId("transfer-bar");
  return [bar.querySelector(".transfer-done")?.textContent, bar.querySelector(".transfer-status")?.textContent];
};
const transfer = (over: Partial<Transfer>): Transfer =>
  ({ id: "t1", direction: "up", conversation_id: "c1", name: "report.pdf", path: "/home/a/report.pdf", size: 10 * MiB, done: 3 * MiB, state: "running", error: null, speed: MiB, created_at: 0, ...over }) as Transfer;

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
  setLanguage(null);
});

describe("a transfer's bar", () => {
  it("shows how far it is, its speed and the time left, and pauses and cancels it", () => {
    render(<TransferBar t={transfer({})} onError={() => {}} />);
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("30");
    expect(said()).toEqual(["3.0 MB / 10 MB", "1.0 MB/s · 7 s left"]);
    expect(screen.queryByRole("button", { name: "Resume" })).toBeNull();
    vi.mocked(ipc.pauseTransfer).mockResolvedValue(undefined as never);
    vi.mocked(ipc.cancelTransfer).mockResolvedValue(undefined as never);
    fireEvent.click(screen.getByRole("button", { name: "Pause" }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(ipc.pauseTransfer).toHaveBeenCalledWith("t1");
    expect(ipc.cancelTransfer).toHaveBeenCalledWith("t1");
  });

  it("offers Resume once paused, and after a failure says why", () => {
    const { rerender } = render(<TransferBar t={transfer({ state: "paused", speed: 0 })} onError={() => {}} />);
    expect(said()).toEqual(["3.0 MB / 10 MB", "Paused"]);
    vi.mocked(ipc.resumeTransfer).mockResolvedValue(undefined as never);
    fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    expect(ipc.resumeTransfer).toHaveBeenCalledWith("t1");

    setLanguage("zh-CN");
    rerender(<TransferBar t={transfer({ state: "failed", speed: 0, error: { code: "quota_exceeded", message: "Your storage is full." } as Transfer["error"] })} onError={() => {}} />);
    expect(said()).toEqual(["3.0 MB / 10 MB", "存储空间已满。"]);
    expect(screen.getByRole("button", { name: "继续" })).toBeTruthy();
  });

  it("says the time left in Chinese", () => {
    setLanguage("zh-CN");
    render(<TransferBar t={transfer({ done: 0, size: 600 * MiB })} onError={() => {}} />);
    expect(said()).toEqual(["0 B / 600 MB", "1.0 MB/s · 剩余 10 分钟"]);
  });

  it("tells the chat when a pause is refused", async () => {
    const onError = vi.fn();
    vi.mocked(ipc.pauseTransfer).mockRejectedValue({ code: "transfer_not_found", message: "No such transfer." });
    render(<TransferBar t={transfer({})} onError={onError} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Pause" })));
    expect(onError).toHaveBeenCalledWith("No such transfer.");
  });
});
