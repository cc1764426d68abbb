import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { LoginNotice, LoginView, UserProfile } from "../bindings";
import { i18n } from "../shared/i18n";
import { LoginWindow } from "./LoginWindow";

const alice: UserProfile = { id: "u1", handle: "alice", display_name: "Alice", avatar_hue: 120 };
const noop = { refresh: () => {}, logIn: () => {}, switchAccount: () => {}, changeServer: () => {}, chooseServer: () => Promise.resolve(), keepServer: () => {} };
const render = (login: LoginView, notice?: LoginNotice) => renderToStaticMarkup(<LoginWindow login={login} notice={notice} act={noop} />);

describe("LoginWindow", () => {
  it("shows the QR with the scan hint", () => {
    const html = render({ step: "qr", svg: "<svg id='q'></svg>", url: "http://h/m/l/x", expires_at: 0 });
    expect(html).toContain("<svg id='q'></svg>");
    expect(html).toContain("Scan with Xin on your phone to log in");
  });

  it("shows who scanned and the number to tap", () => {
    const html = render({ step: "scanned", user: alice, code: "07", remembered: false });
    expect(html).toContain("Alice");
    expect(html).toContain('data-code="07"');
    expect(html).toContain("tapping this number");
  });

  it("asks a remembered device to confirm on the phone without a number", () => {
    const html = render({ step: "scanned", user: alice, code: "", remembered: true });
    expect(html).toContain("Confirm the login on your phone");
    expect(html).not.toContain("login-code");
  });

  it("offers Log in and Switch account for a remembered account", () => {
    const html = render({ step: "remembered", user: alice });
    expect(html).toContain("Log in");
    expect(html).toContain("Switch account");
  });

  it("says why the user was signed out", () => {
    const html = render({ step: "starting" }, { kind: "signed_out_elsewhere" });
    expect(html).toContain("This device was signed out.");
  });

  it("says a session that reached its lifetime must log in again", () => {
    const html = render({ step: "starting" }, { kind: "session_expired" });
    expect(html).toContain("it has been a long time since you logged in on this computer");
  });

  it("says the notice in Chinese for a Chinese reader", async () => {
    await i18n.changeLanguage("zh-CN");
    try {
      expect(render({ step: "starting" }, { kind: "no_longer_remembered" })).toContain("这台电脑已不再被记住");
      expect(render({ step: "unreachable", server: "http://x", retry_in_secs: 4 })).toContain("无法连接 Xin 服务器 http://x");
    } finally {
      await i18n.changeLanguage("en");
    }
  });

  it("says plainly when the server cannot be reached", () => {
    const html = render({ step: "unreachable", server: "http://x", retry_in_secs: 4 });
    expect(html).toContain("Cannot reach the Xin server at http://x.");
    expect(html).toContain("Trying again in 4 s.");
  });

  it("offers a refresh for an expired code", () => {
    expect(render({ step: "expired" })).toContain("expired");
  });
});
