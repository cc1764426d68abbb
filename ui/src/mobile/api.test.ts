import { describe, expect, it } from "vitest";
import { ticketFromUrl } from "./api";

describe("ticketFromUrl", () => {
  it("finds the ticket in a login QR's URL", () => {
    expect(ticketFromUrl("http://192.168.1.5:7420/m/l/AbCdEfGhIjKlMnOpQrStUv")).toBe("AbCdEfGhIjKlMnOpQrStUv");
    expect(ticketFromUrl("  https://xin.example/m/l/AbCdEfGhIjKlMnOpQrStUv/ ")).toBe("AbCdEfGhIjKlMnOpQrStUv");
  });
  it("refuses anything else", () => {
    expect(ticketFromUrl("https://evil.example/login")).toBeNull();
    expect(ticketFromUrl("http://x/m/l/short")).toBeNull();
    expect(ticketFromUrl("http://x/m/l/AbCdEfGhIjKlMnOpQrStUv/../../etc")).toBeNull();
  });
});
