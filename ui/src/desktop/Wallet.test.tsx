// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ReceiveCode, Wallet as WalletView } from "../bindings";
import { ipc } from "./ipc";
import { Wallet } from "./Wallet";

vi.mock("./ipc", () => ({
  ipc: { wallet: vi.fn(), bills: vi.fn(), receiveCode: vi.fn() },
  onCoreEvent: () => Promise.resolve(() => {}),
  errorText: String,
}));

const wallet: WalletView = { balance_fen: 100, cards: [], has_pin: true } as unknown as WalletView;
const code = (amount_fen: number | null): ReceiveCode => ({ url: `http://h/m/pay/alice${amount_fen ? `?fen=${amount_fen}` : ""}`, svg: "<svg></svg>", amount_fen, note: "" }) as ReceiveCode;

afterEach(cleanup);

describe("Receive money", () => {
  it("keeps the amount form open when the first code arrives after the user opened it", async () => {
    vi.mocked(ipc.wallet).mockResolvedValue(wallet);
    vi.mocked(ipc.bills).mockResolvedValue([]);
    let firstCode: (c: ReceiveCode) => void = () => {};
    vi.mocked(ipc.receiveCode).mockImplementationOnce(() => new Promise((resolve) => (firstCode = resolve)));
    render(<Wallet />);
    fireEvent.click(screen.getByTestId("wallet-receive"));
    // A slow machine: the user taps "Set amount" before the plain code has come back.
    fireEvent.click(screen.getByTestId("receive-set-amount"));
    await act(async () => firstCode(code(null)));
    expect(screen.getByTestId("receive-qr").getAttribute("data-url")).toBe("http://h/m/pay/alice");
    const input = screen.getByTestId("receive-amount-input");

    // Submitting an amount shows its code and closes the form.
    vi.mocked(ipc.receiveCode).mockResolvedValueOnce(code(1234));
    fireEvent.change(input, { target: { value: "12.34" } });
    await act(async () => fireEvent.click(screen.getByTestId("receive-amount-ok")));
    expect(ipc.receiveCode).toHaveBeenLastCalledWith(1234, "");
    expect(screen.getByTestId("receive-qr").getAttribute("data-url")).toBe("http://h/m/pay/alice?fen=1234");
    expect(screen.queryByTestId("receive-amount-input")).toBeNull();
  });
});
