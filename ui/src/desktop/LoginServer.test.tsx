// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ipc } from "./ipc";
import { LoginWindow } from "./LoginWindow";

vi.mock("./ipc", () => ({
  ipc: { serverUrl: vi.fn() },
  errorText: (e: { message: string }) => e.message,
}));

afterEach(cleanup);

const acts = () => ({
  refresh: vi.fn(),
  logIn: vi.fn(),
  switchAccount: vi.fn(),
  changeServer: vi.fn(),
  chooseServer: vi.fn(),
  keepServer: vi.fn(),
});

describe("the login window's server", () => {
  it("asks a first run for the address, tries it, and says why it did not work", async () => {
    vi.mocked(ipc.serverUrl).mockResolvedValue("");
    const act_ = acts();
    act_.chooseServer.mockRejectedValue({ code: "unreachable", message: "The server cannot be reached: https://xin.example.org" });
    render(<LoginWindow login={{ step: "choose_server" }} act={act_} />);
    const connect = screen.getByTestId("server-connect") as HTMLButtonElement;
    expect(connect.disabled).toBe(true);
    expect(screen.queryByText("Cancel")).toBeNull();

    fireEvent.change(screen.getByTestId("server-address"), { target: { value: "xin.example.org" } });
    await act(async () => {
      fireEvent.submit(screen.getByTestId("server-prompt"));
    });
    expect(act_.chooseServer).toHaveBeenCalledWith("xin.example.org");
    expect(screen.getByTestId("server-error").textContent).toBe("The server cannot be reached: https://xin.example.org");
    expect((screen.getByTestId("server-address") as HTMLInputElement).value).toBe("xin.example.org");
  });

  it("changing the server shows the one in use and can be cancelled", () => {
    vi.mocked(ipc.serverUrl).mockResolvedValue("https://xin.example.org");
    const act_ = acts();
    render(<LoginWindow login={{ step: "choose_server", current: "https://xin.example.org" }} act={act_} />);
    expect((screen.getByTestId("server-address") as HTMLInputElement).value).toBe("https://xin.example.org");
    fireEvent.click(screen.getByText("Cancel"));
    expect(act_.keepServer).toHaveBeenCalled();
  });

  it("names the server under the QR code, with Change", async () => {
    vi.mocked(ipc.serverUrl).mockResolvedValue("https://xin.example.org");
    const act_ = acts();
    render(<LoginWindow login={{ step: "qr", svg: "<svg></svg>", url: "https://xin.example.org/m/l/x", expires_at: 0 }} act={act_} />);
    const footer = await screen.findByTestId("login-server");
    expect(footer.textContent).toContain("xin.example.org");
    expect(footer.textContent).not.toContain("https://");
    fireEvent.click(screen.getByTestId("login-change-server"));
    expect(act_.changeServer).toHaveBeenCalled();
  });
});
