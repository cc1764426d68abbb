// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Device } from "../bindings";
import { ipc } from "./ipc";
import { Settings } from "./Settings";

vi.mock("./ipc", () => ({
  ipc: { settings: vi.fn(), cachedDevices: vi.fn(), devices: vi.fn(), momentsSettings: vi.fn(), callDevices: vi.fn(), callDeviceChoice: vi.fn(), setCallDeviceChoice: vi.fn() },
  onCoreEvent: () => Promise.resolve(() => {}),
  errorText: String,
}));

const device = (id: string, name: string): Device => ({ id, name, kind: "desktop", os: "Linux", app_version: "0.1.0", ip: "127.0.0.1", signed_in: true, current: false, last_active_at: 0 }) as unknown as Device;

afterEach(cleanup);

const pending = () => {
  vi.mocked(ipc.settings).mockReturnValue(new Promise(() => {}));
  vi.mocked(ipc.momentsSettings).mockReturnValue(new Promise(() => {}));
  vi.mocked(ipc.callDevices).mockReturnValue(new Promise(() => {}));
  vi.mocked(ipc.callDeviceChoice).mockReturnValue(new Promise(() => {}));
};

describe("Settings' devices", () => {
  it("keeps the server's list when the cache answers later", async () => {
    pending();
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

describe("Settings' call devices", () => {
  it("offers the system's default and each device, keeps the choice, and forgets it again", async () => {
    pending();
    vi.mocked(ipc.cachedDevices).mockResolvedValue([]);
    vi.mocked(ipc.devices).mockResolvedValue([]);
    vi.mocked(ipc.callDevices).mockResolvedValue({
      microphones: [{ id: "alsa_input.usb-headset", name: "USB Headset" }],
      speakers: [{ id: "alsa_output.pci", name: "Built-in Audio" }],
      cameras: [],
    });
    vi.mocked(ipc.callDeviceChoice).mockResolvedValue({ speaker: "alsa_output.pci" });
    vi.mocked(ipc.setCallDeviceChoice).mockResolvedValue();
    render(<Settings user={{ id: "u", handle: "alice", display_name: "Alice", avatar_hue: 1 }} />);
    await act(async () => {});
    const microphone = screen.getByTestId("setting-microphone") as HTMLSelectElement;
    expect([...microphone.options].map((o) => o.text)).toEqual(["System default", "USB Headset"]);
    expect((screen.getByTestId("setting-speaker") as HTMLSelectElement).value).toBe("alsa_output.pci");
    expect((screen.getByTestId("setting-camera") as HTMLSelectElement).options).toHaveLength(1);
    await act(async () => fireEvent.change(microphone, { target: { value: "alsa_input.usb-headset" } }));
    expect(ipc.setCallDeviceChoice).toHaveBeenLastCalledWith({ speaker: "alsa_output.pci", microphone: "alsa_input.usb-headset" });
    await act(async () => fireEvent.change(screen.getByTestId("setting-speaker"), { target: { value: "" } }));
    expect(ipc.setCallDeviceChoice).toHaveBeenLastCalledWith({ speaker: undefined, microphone: "alsa_input.usb-headset" });
  });
});
