// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authed, endedBecause, onSessionEnd, stored } from "./api";

const USER = { id: "u", handle: "carol", display_name: "Carol", avatar_hue: 1 };

/** Tokens rotate as on the real server: a refresh replaces the access token (the old one is
 * then unknown), and a refresh token works once. */
function fakeServer() {
  const state = { access: "T1", expired: false, refresh: "R1", refreshes: 0, lapsed: false, meanwhile: undefined as (() => void) | undefined };
  const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
  const refused = (code: string) => answer(401, { error: { code, message: code } });
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    if (url.endsWith("/sessions/refresh")) {
      const given = (JSON.parse(String(init.body)) as { refresh_token: string }).refresh_token;
      if (state.lapsed) return refused("session_expired");
      if (given !== state.refresh) return refused("session_revoked");
      state.refreshes += 1;
      Object.assign(state, { access: `T${state.refreshes + 1}`, refresh: `R${state.refreshes + 1}`, expired: false });
      return answer(200, { user: USER, device_id: "d", access_token: state.access, access_expires_in: 900, refresh_token: state.refresh });
    }
    const meanwhile = state.meanwhile;
    state.meanwhile = undefined;
    meanwhile?.();
    const token = (init.headers as Record<string, string>).authorization?.replace("Bearer ", "");
    if (token !== state.access) return refused("unauthorized");
    if (state.expired) return refused("token_expired");
    return answer(200, { ok: true });
  });
  return state;
}

describe("the phone's session", () => {
  beforeEach(() => {
    localStorage.clear();
    localStorage.setItem("xin.session", JSON.stringify({ user: USER, device_id: "d", access: "T1", refresh: "R1" }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it("calls that all find the token expired share one refresh and stay signed in", async () => {
    const server = fakeServer();
    server.expired = true;
    const answers = await Promise.all([authed("GET", "/moments"), authed("GET", "/conversations"), authed("GET", "/login-tickets/waiting")]);
    expect(answers).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(server.refreshes).toBe(1);
    expect(stored()?.access).toBe("T2");
  });

  it("a call whose token another call's refresh replaced on the way retries with the new one", async () => {
    const server = fakeServer();
    server.meanwhile = () => {
      Object.assign(server, { access: "T2", refresh: "R2" });
      localStorage.setItem("xin.session", JSON.stringify({ ...stored(), access: "T2", refresh: "R2" }));
    };
    expect(await authed("GET", "/moments")).toEqual({ ok: true });
    expect(stored()?.access).toBe("T2");
    expect(server.refreshes).toBe(0);
  });

  it("a token the server does not know, with no newer one, signs the phone out", async () => {
    const server = fakeServer();
    server.access = "T9";
    await expect(authed("GET", "/moments")).rejects.toMatchObject({ code: "unauthorized" });
    expect(stored()).toBeNull();
  });

  it("a refresh refused because the phone was signed out elsewhere ends the session, and the app is told", async () => {
    const server = fakeServer();
    server.expired = true;
    server.refresh = "R-after-sign-out";
    const ended = vi.fn();
    const stop = onSessionEnd(ended);
    await expect(authed("GET", "/moments")).rejects.toMatchObject({ code: "session_revoked" });
    stop();
    expect(stored()).toBeNull();
    expect(ended).toHaveBeenCalled();
  });

  it("a session past its lifetime ends, and the sign-in page is told why once", async () => {
    const server = fakeServer();
    server.expired = true;
    server.lapsed = true;
    const ended = vi.fn();
    const stop = onSessionEnd(ended);
    await expect(authed("GET", "/moments")).rejects.toMatchObject({ code: "session_expired" });
    stop();
    expect(stored()).toBeNull();
    expect(ended).toHaveBeenCalled();
    expect(endedBecause()).toBe("session_expired");
    expect(endedBecause()).toBeNull();
  });

  it("a sign-out elsewhere gives the sign-in page no lifetime notice", async () => {
    const server = fakeServer();
    server.expired = true;
    server.refresh = "R-after-sign-out";
    await expect(authed("GET", "/moments")).rejects.toMatchObject({ code: "session_revoked" });
    expect(endedBecause()).toBeNull();
  });
});
