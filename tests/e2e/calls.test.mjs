// Calls between two phone companions, each in its own Chromium with a fake microphone playing a
// tone: Alice rings Bob, Bob's phone shows the incoming call, he answers, and each side hears
// the other's tone through WebRTC (a WebAudio analyser on the remote stream finds its
// frequency). Hanging up leaves the same "Call duration" line in both chats; a declined call
// says so on both sides.
//
// xtask runs this file in a network namespace of its own whose only interface is its loopback
// (Chromium is started with --allow-loopback-in-peer-connection), so no call traffic can reach
// a real interface.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { phoneSignIn, startPhone, startServer, tempDir, waitFor, wav } from "./harness.mjs";

const PASSWORD = "xin-demo-pass";
// WebRTC between two browsers on one machine's loopback; the remote audio plays without a tap.
const CALL_SWITCHES = ["--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"];

/** A WAV of a steady sine at `hz`, long enough to loop through a call. */
const toneWav = (hz, seconds = 4) => wav(seconds, (t) => 0.5 * Math.sin(2 * Math.PI * hz * t));

async function post(server, token, path, body) {
  const r = await fetch(`${server.url}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function register(server, handle, phone) {
  const device = { name: "setup", kind: "desktop", os: "Linux", app_version: "e2e" };
  return post(server, null, "/accounts", { handle, phone, display_name: handle[0].toUpperCase() + handle.slice(1), password: PASSWORD, device });
}

/** The loudest frequency of the remote audio a page plays, over about a second. */
async function heardFrequency(page) {
  return page.evaluate(async () => {
    const el = document.querySelector('[data-testid="call-remote-audio"]');
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    ctx.createMediaStreamSource(el.srcObject).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    let best = { hz: 0, db: -Infinity };
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      analyser.getFloatFrequencyData(bins);
      bins.forEach((db, k) => {
        if (db > best.db) best = { hz: (k * ctx.sampleRate) / analyser.fftSize, db };
      });
    }
    await ctx.close();
    return best;
  });
}

describe("calls between two phones", () => {
  let server, alice, bob, conv;

  before(async () => {
    server = await startServer();
    const dir = tempDir("xin-calls-");
    const aliceTone = join(dir, "alice-440.wav");
    const bobTone = join(dir, "bob-1000.wav");
    writeFileSync(aliceTone, toneWav(440));
    writeFileSync(bobTone, toneWav(1000));
    const a = await register(server, "alice", "13800000001");
    const b = await register(server, "bob", "13800000002");
    const request = await post(server, a.access_token, "/friend-requests", { to: b.user.id, greeting: "hi" });
    await post(server, b.access_token, `/friend-requests/${request.id}/answer`, { accept: true });
    conv = (await post(server, a.access_token, "/conversations/direct", { with: b.user.id })).id;
    await post(server, a.access_token, `/conversations/${conv}/messages`, { client_id: crypto.randomUUID(), content: { type: "text", text: "Call you in a sec", mentions: [], mention_all: false } });
    alice = await startPhone(undefined, aliceTone, undefined, CALL_SWITCHES);
    bob = await startPhone(undefined, bobTone, undefined, CALL_SWITCHES);
    for (const [phone, login] of [
      [alice, "alice"],
      [bob, "bob"],
    ]) {
      await phoneSignIn(phone.page, server.url, login);
      await phone.page.getByTestId("phone-chat-row").first().click();
      await phone.page.getByTestId("phone-chat").waitFor();
    }
  });

  after(async () => {
    await alice?.stop();
    await bob?.stop();
    await server?.stop();
  });

  test("Alice rings Bob, he answers, and each hears the other", async () => {
    await alice.page.getByTestId("phone-voice-call").click();
    await alice.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    const incoming = bob.page.locator('[data-testid="call-screen"][data-state="ringing"]');
    await incoming.waitFor();
    assert.match(await bob.page.getByTestId("call-status").textContent(), /invites you to a voice call/);
    await bob.screenshot("100-phone-incoming-call");
    await bob.page.getByTestId("call-accept").click();

    // Connected: both show a running timer.
    for (const phone of [alice, bob]) {
      await waitFor("the call to connect", async () => /^\d\d:\d\d$/.test((await phone.page.getByTestId("call-status").textContent()) ?? ""), 15_000);
    }
    const bobHears = await heardFrequency(bob.page);
    const aliceHears = await heardFrequency(alice.page);
    assert.ok(Math.abs(bobHears.hz - 440) < 15, `Bob hears Alice's 440 Hz tone: ${JSON.stringify(bobHears)}`);
    assert.ok(Math.abs(aliceHears.hz - 1000) < 15, `Alice hears Bob's 1 kHz tone: ${JSON.stringify(aliceHears)}`);
    // The timer runs, and both phones agree on it to within a second.
    const secs = async (phone) => {
      const [m, s] = (await phone.page.getByTestId("call-status").textContent()).split(":").map(Number);
      return m * 60 + s;
    };
    const [a, b] = await Promise.all([secs(alice), secs(bob)]);
    assert.ok(a >= 2 && Math.abs(a - b) <= 1, `timers ${a} s and ${b} s`);
    await alice.screenshot("101-phone-in-call");

    await new Promise((r) => setTimeout(r, 1200));
    await alice.page.getByTestId("call-hangup").click();
    // Both screens say so for a moment…
    await Promise.all([alice, bob].map((phone) => phone.page.locator('[data-testid="call-screen"][data-outcome="completed"]').waitFor()));
    for (const phone of [alice, bob]) {
      // …then give way to the chat, which now holds the call's line.
      const line = phone.page.locator('[data-testid="phone-call-line"][data-outcome="completed"]');
      await line.waitFor({ timeout: 10_000 });
      assert.match(await line.textContent(), /Call duration 00:0[1-9]/);
    }
    await bob.screenshot("102-phone-call-line");
  });

  test("a video call Bob declines ends on both phones, and says so in the chat", async () => {
    await alice.page.getByTestId("phone-video-call").click();
    await bob.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    assert.ok(await bob.page.getByTestId("call-accept-voice").isVisible(), "a video call can be answered with voice");
    await bob.page.getByTestId("call-decline").click();
    await alice.page.locator('[data-testid="call-screen"][data-outcome="declined"]').waitFor();
    for (const phone of [alice, bob]) {
      await phone.page.locator('[data-testid="phone-call-line"][data-outcome="declined"]').waitFor({ timeout: 10_000 });
    }
  });

  test("tapping a call's line calls back, and the caller can cancel", async () => {
    await bob.page.locator('[data-testid="phone-call-line"][data-outcome="declined"]').click();
    await alice.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    assert.match(await alice.page.getByTestId("call-status").textContent(), /invites you to a video call/);
    await bob.page.getByTestId("call-cancel").click();
    for (const phone of [alice, bob]) {
      await phone.page.locator('[data-testid="phone-call-line"][data-outcome="cancelled"]').waitFor({ timeout: 10_000 });
    }
  });
});
