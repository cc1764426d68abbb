// @vitest-environment jsdom
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Device } from "../bindings";
import { ipc } from "./ipc";
import { Settings } from "./Settings";

vi.mock("./ipc", () => ({
  ipc: { settings: vi.fn(), cachedDevices: vi.fn(), devices: vi.fn(), momentsSettings: vi.fn() },
  onCoreEvent: () => Promise.resolve(() => {}),
  errorText: String,
}));

const device = (id: string, name: string): Device => ({ id, name, kind: "desktop", os: "Linux", app_version: "0.1.0", ip: "127.0.0.1", signed_in: true, current: false, last_active_at: 0 }) as unknown as Device;

afterEach(cleanup);

describe("Settings' devices", () => {
  it("keeps the server's list when the cache answers later", async () => {
    vi.mocked(ipc.settings).mockReturnValue(new Promise(() => {}));
    vi.mocked(ipc.momentsSettings).mockReturnValue(new Promise(() => {}));
    let cached: (d: Device[]) => void = () => {};
    vi.mocked(ipc.cachedDevices).mockImplementationOnce(() => new Promise((resolve) => (cached = resolve)));
    vi.mocked(ipc.devices).mockResolvedValueOnce([device("a", "Laptop"), device("b", "Phone of today")]);
    render(<Settings user={{ id: "u", handle: "alice", display_name: "Alice", avatar_hue: 1 }} />);
    await act(async () => {});
    expect(screen.getAllByTestId("device-row")).toHaveLength(2);
    // The cache, slower this time, still holds the list from before a device was added.
    await act(async () => cached([device("a", "Laptop")]));
    expect(screen.getAllByTestId("device-row")).toHaveLength(2);
  });
});
