import { describe, expect, it } from "vitest";
import { handleFromUrl, miniProgramFromUrl, officialFromUrl, ticketFromUrl, uuidv7 } from "./api";

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

describe("uuidv7", () => {
  it("is a version-7 UUID that sorts by time", async () => {
    const a = uuidv7();
    await new Promise((r) => setTimeout(r, 2));
    const b = uuidv7();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });
});

describe("handleFromUrl", () => {
  it("finds the Xin ID in a friend card", () => {
    expect(handleFromUrl("http://192.168.1.5:7420/m/u/alice_w")).toBe("alice_w");
    expect(handleFromUrl("http://x/m/u/1abc")).toBeNull();
    expect(handleFromUrl("http://x/m/l/AbCdEfGhIjKlMnOpQrStUv")).toBeNull();
  });
});

describe("officialFromUrl", () => {
  it("finds the code in an official account's QR", () => {
    expect(officialFromUrl("http://10.0.0.2:7420/m/oa/AbCdEfGhIjKlMnOpQrStUv")).toBe("AbCdEfGhIjKlMnOpQrStUv");
  });
  it("refuses anything else", () => {
    expect(officialFromUrl("http://10.0.0.2:7420/m/l/AbCdEfGhIjKlMnOpQrStUv")).toBeNull();
    expect(officialFromUrl("http://x/m/oa/short")).toBeNull();
  });
});

describe("miniProgramFromUrl", () => {
  it("finds the mini-program in its QR code", () => {
    expect(miniProgramFromUrl("http://10.0.0.2:7420/m/mp/01a20946-f26d-7421-a97d-b8c020433fd6")).toBe("01a20946-f26d-7421-a97d-b8c020433fd6");
    expect(miniProgramFromUrl(" https://xin.example/m/mp/01a20946-f26d-7421-a97d-b8c020433fd6/ ")).toBe("01a20946-f26d-7421-a97d-b8c020433fd6");
  });
  it("ignores anything else", () => {
    expect(miniProgramFromUrl("http://x/m/mp/not-an-id")).toBeNull();
    expect(miniProgramFromUrl("http://x/m/mp/01a20946-f26d-7421-a97d-b8c020433fd6/../../etc")).toBeNull();
    expect(miniProgramFromUrl("http://x/m/oa/AbCdEfGhIjKlMnOpQrStUv")).toBeNull();
  });
});
