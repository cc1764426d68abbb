// Calls, end to end. Between two phone companions, each in its own Chromium with a fake
// microphone playing a tone: Alice rings Bob, he answers, and each side hears the other's tone
// through WebRTC (a WebAudio analyser on the remote stream finds its frequency). Between the
// desktop app (its engine on GStreamer's webrtcbin, sending a 440 Hz tone and a test picture,
// measuring what it receives) and Bob's phone: both directions, voice and video, declined and
// unanswered. Each call leaves the same line in both chats.
//
// xtask runs this file in a network namespace of its own whose only interface is its loopback
// (Chromium is started with --allow-loopback-in-peer-connection, the desktop with
// XIN_CALL_ADDRESSES=127.0.0.1), so no call traffic can reach a real interface.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { By, closeWindowTitled, phoneSignIn, signInDesktop, startDesktop, startPhone, startServer, tempDir, until, waitFor, wav } from "./harness.mjs";

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

/** The phone's received media, from its connection's own statistics. */
async function phoneInbound(page, kind) {
  return page.evaluate(async (kind) => {
    const stats = await window.__xinCall.getStats();
    let found = null;
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === kind) found = { packets: s.packetsReceived, lost: s.packetsLost, frames: s.framesDecoded ?? 0, jitterBufferMs: s.jitterBufferEmittedCount ? (1000 * s.jitterBufferDelay) / s.jitterBufferEmittedCount : null };
    });
    return found;
  }, kind);
}

describe("calls between the desktop and a phone", () => {
  let server, desktop, alicePhone, bob, callWindow, mainWindow;

  before(async () => {
    // A short ring, so the unanswered call's test need not wait 45 s.
    server = await startServer(["--call-ring-secs", "6"]);
    const dir = tempDir("xin-desktop-calls-");
    const bobTone = join(dir, "bob-1000.wav");
    writeFileSync(bobTone, toneWav(1000));
    const a = await register(server, "alice", "13800000001");
    const b = await register(server, "bob", "13800000002");
    const request = await post(server, a.access_token, "/friend-requests", { to: b.user.id, greeting: "hi" });
    await post(server, b.access_token, `/friend-requests/${request.id}/answer`, { accept: true });
    const conv = (await post(server, a.access_token, "/conversations/direct", { with: b.user.id })).id;
    await post(server, b.access_token, `/conversations/${conv}/messages`, { client_id: crypto.randomUUID(), content: { type: "text", text: "Call me on your computer", mentions: [], mention_all: false } });
    // The desktop's engine sends a 440 Hz tone and measures what it hears; it may use the
    // loopback address only.
    desktop = await startDesktop(server.url, { XIN_MOCK_CALL_MEDIA: "1", XIN_CALL_ADDRESSES: "127.0.0.1" });
    alicePhone = await startPhone();
    bob = await startPhone(undefined, bobTone, undefined, CALL_SWITCHES);
    await phoneSignIn(alicePhone.page, server.url, "alice");
    await phoneSignIn(bob.page, server.url, "bob");
    await bob.page.getByTestId("phone-chat-row").first().click();
    await bob.page.getByTestId("phone-chat").waitFor();

    await signInDesktop(desktop, alicePhone.page);
    await (await desktop.find("chat-row")).click();
    await desktop.find("conversation");
    mainWindow = await desktop.driver.getWindowHandle();
  });

  after(async () => {
    await bob?.stop();
    await alicePhone?.stop();
    await desktop?.stop();
    await server?.stop();
  });

  /** Waits for the call window and works in it. */
  async function toCallWindow() {
    const d = desktop.driver;
    await d.wait(async () => (await d.getAllWindowHandles()).length === 2, 20_000, "the call window opens");
    callWindow = (await d.getAllWindowHandles()).find((h) => h !== mainWindow);
    await d.switchTo().window(callWindow);
  }

  async function callState(state) {
    await desktop.driver.wait(async () => {
      const el = await desktop.driver.findElements(By.css(`[data-testid="call-window"][data-state="${state}"]`));
      return el.length > 0;
    }, 20_000, `the call window shows a ${state} call`);
  }

  /** Back to the main window once the call window has closed. */
  async function callWindowCloses() {
    const d = desktop.driver;
    await d.wait(async () => (await d.getAllWindowHandles()).length === 1, 20_000, "the call window closes after the call");
    await d.switchTo().window(mainWindow);
  }

  /** How many elements carry `testId` now; a React redraw mid-search counts as "ask again". */
  async function countOf(testId) {
    try {
      return (await desktop.driver.findElements(By.css(`[data-testid="${testId}"]`))).length;
    } catch (e) {
      if (e.name === "StaleElementReferenceError") return -1;
      throw e;
    }
  }

  const secs = (text) => {
    const [m, s] = text.split(":").map(Number);
    return m * 60 + s;
  };

  test("the desktop rings Bob's phone; he answers and each hears the other", async () => {
    await (await desktop.find("start-voice-call")).click();
    await toCallWindow();
    await callState("ringing");
    assert.match(await (await desktop.find("call-status")).getText(), /Waiting for the other person/);
    await desktop.screenshot("103-desktop-calling");
    await bob.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    await bob.page.getByTestId("call-accept").click();

    await desktop.driver.wait(async () => /^\d\d:\d\d$/.test(await (await desktop.find("call-status")).getText()), 20_000, "the desktop's timer runs");
    await waitFor("the phone's timer", async () => /^\d\d:\d\d$/.test((await bob.page.getByTestId("call-status").textContent()) ?? ""), 15_000);
    const bobHears = await heardFrequency(bob.page);
    assert.ok(Math.abs(bobHears.hz - 440) < 15, `Bob hears the desktop's 440 Hz tone: ${JSON.stringify(bobHears)}`);
    await waitFor("the desktop to hear Bob's tone", async () => {
      const s = await desktop.invoke("call_stats", {});
      return s && s.audio_packets > 100 && Math.abs((s.tone_hz ?? 0) - 1000) < 20;
    }, 15_000);
    let inbound = null;
    await waitFor("the phone to receive 100 packets", async () => (inbound = await phoneInbound(bob.page, "audio"))?.packets > 100, 10_000);
    assert.equal(inbound.lost, 0, `the phone lost none: ${JSON.stringify(inbound)}`);
    const [d, p] = [secs(await (await desktop.find("call-status")).getText()), secs(await bob.page.getByTestId("call-status").textContent())];
    assert.ok(Math.abs(d - p) <= 1, `timers ${d} s (desktop) and ${p} s (phone)`);
    await desktop.screenshot("104-desktop-in-voice-call");

    // Muting silences the desktop at the phone's end.
    await (await desktop.find("call-mute")).click();
    await waitFor("Bob to stop hearing the desktop", async () => (await heardFrequency(bob.page)).db < -90, 10_000);
    await (await desktop.find("call-mute")).click();

    await (await desktop.find("call-hangup")).click();
    await callState("ended");
    await callWindowCloses();
    const line = await desktop.find("call-line");
    assert.equal(await line.getAttribute("data-outcome"), "completed");
    assert.match(await line.getText(), /Call duration 00:0[1-9]/);
    const phoneLine = bob.page.locator('[data-testid="phone-call-line"][data-outcome="completed"]');
    await phoneLine.waitFor({ timeout: 10_000 });
    assert.equal((await phoneLine.textContent()).trim(), (await line.getText()).trim(), "both chats hold the same record");
  });

  test("Bob video-calls the desktop: it rings in a window of its own, and pictures flow both ways", async () => {
    await bob.page.getByTestId("phone-video-call").click();
    await toCallWindow();
    await callState("ringing");
    assert.match(await (await desktop.find("call-status")).getText(), /invites you to a video call/);
    await desktop.find("call-accept-voice");
    await desktop.screenshot("105-desktop-incoming-video-call");
    await (await desktop.find("call-accept")).click();
    await waitFor("pictures both ways", async () => {
      const s = await desktop.invoke("call_stats", {});
      const v = await phoneInbound(bob.page, "video");
      return s && s.frames_decoded > 30 && v && v.frames > 30;
    }, 30_000);
    await desktop.find("call-remote-video");
    // Each shows the other's picture: the phone's video element plays the desktop's 640×480.
    const shown = await bob.page.getByTestId("call-remote-video").evaluate((v) => ({ w: v.videoWidth, h: v.videoHeight, frames: v.getVideoPlaybackQuality().totalVideoFrames }));
    assert.ok(shown.w === 640 && shown.h === 480 && shown.frames > 0, `the phone shows ${JSON.stringify(shown)}`);
    await new Promise((r) => setTimeout(r, 1000));
    await desktop.screenshot("106-desktop-in-video-call");
    await bob.screenshot("107-phone-video-call-with-desktop");

    // A camera turned off shows its owner's avatar at the other end, not a frozen picture.
    await (await desktop.find("call-camera")).click();
    await bob.page.getByTestId("call-peer-camera-off").waitFor({ timeout: 10_000 });
    assert.equal(await bob.page.getByTestId("call-remote-video").isVisible(), false, "the phone hides the desktop's last picture");
    await bob.screenshot("107b-phone-other-camera-off");
    await (await desktop.find("call-camera")).click();
    await bob.page.getByTestId("call-peer-camera-off").waitFor({ state: "detached", timeout: 10_000 });
    await bob.page.getByTestId("call-camera").click();
    await desktop.find("call-peer-camera-off");
    await desktop.driver.wait(async () => (await countOf("call-remote-video")) === 0, 5_000, "the desktop shows the avatar, not the picture");
    await desktop.screenshot("106c-desktop-other-camera-off");
    await bob.page.getByTestId("call-camera").click();
    await desktop.find("call-remote-video");

    // The desktop switches the call to voice: the pictures go on both sides, the call goes on.
    await (await desktop.find("call-switch-voice")).click();
    await bob.page.getByTestId("call-remote-video").waitFor({ state: "detached" });
    await desktop.driver.wait(async () => (await countOf("call-remote-video")) === 0, 10_000, "the desktop's pictures go");
    assert.equal(await (await desktop.find("call-window")).getAttribute("data-state"), "active");
    await desktop.screenshot("106b-desktop-switched-to-voice");
    await bob.page.getByTestId("call-hangup").click();
    await callState("ended");
    await callWindowCloses();
  });

  test("the desktop declines a call, and an unanswered one ends as No answer", async () => {
    await bob.page.getByTestId("phone-voice-call").click();
    await toCallWindow();
    await callState("ringing");
    await (await desktop.find("call-decline")).click();
    await bob.page.locator('[data-testid="call-screen"][data-outcome="declined"]').waitFor();
    await callWindowCloses();

    await (await desktop.find("start-voice-call")).click();
    await toCallWindow();
    await callState("ringing");
    // Nobody answers Bob's phone: the server's ring timeout (6 s here) ends it.
    await desktop.driver.wait(until.elementLocated(By.css('[data-testid="call-window"][data-outcome="no_answer"]')), 20_000, "the unanswered call ends");
    await callWindowCloses();
    await desktop.driver.wait(async () => {
      const outcomes = await Promise.all((await desktop.driver.findElements(By.css('[data-testid="call-line"]'))).map((e) => e.getAttribute("data-outcome")));
      return outcomes.includes("declined") && outcomes.includes("no_answer");
    }, 10_000, "the chat holds the declined and the unanswered call");
    await bob.page.locator('[data-testid="phone-call-line"][data-outcome="no_answer"]').waitFor({ timeout: 10_000 });
    await desktop.screenshot("108-desktop-call-lines");

    // From Bob's profile in Contacts: the call buttons there ring him too.
    await (await desktop.find("rail-contacts")).click();
    await (await desktop.find("contact-row")).click();
    await desktop.find("profile-video-call");
    await desktop.screenshot("108b-desktop-contact-profile");
    await (await desktop.find("profile-voice-call")).click();
    await toCallWindow();
    await callState("ringing");
    await bob.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    await (await desktop.find("call-cancel")).click();
    await bob.page.locator('[data-testid="call-screen"][data-outcome="cancelled"]').waitFor({ timeout: 10_000 });
    await callWindowCloses();
    await (await desktop.find("rail-chats")).click();
    await (await desktop.find("chat-row")).click();
    await desktop.find("conversation");
  });

  test("closing the call window declines or hangs up; closing the main window hides it and calls still ring", async () => {
    const d = desktop.driver;
    await bob.page.getByTestId("phone-voice-call").click();
    await toCallWindow();
    await callState("ringing");
    // The window's close button declines, as WeChat's does.
    const title = await (await desktop.find("call-peer")).getText();
    closeWindowTitled(title);
    await bob.page.locator('[data-testid="call-screen"][data-outcome="declined"]').waitFor({ timeout: 10_000 });
    await d.wait(async () => (await d.getAllWindowHandles()).length === 1, 10_000, "the call window is gone");
    await d.switchTo().window(mainWindow);

    // In a call: the small floating window, then the close button hangs up.
    await (await desktop.find("start-voice-call")).click();
    await toCallWindow();
    await callState("ringing");
    await bob.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    await bob.page.getByTestId("call-accept").click();
    await d.wait(async () => /^\d\d:\d\d$/.test(await (await desktop.find("call-status")).getText()), 20_000, "the desktop's timer runs");
    await (await desktop.find("call-mini")).click();
    await d.wait(async () => (await d.manage().window().getRect()).width <= 220, 5_000, "the call window shrinks to a floating one");
    const rect = await d.manage().window().getRect();
    assert.ok(rect.width <= 220 && rect.height <= 260, `a small floating window: ${JSON.stringify(rect)}`);
    await desktop.screenshot("109b-desktop-floating-call");
    closeWindowTitled(title);
    await bob.page.locator('[data-testid="call-screen"][data-outcome="completed"]').waitFor({ timeout: 10_000 });
    await d.wait(async () => (await d.getAllWindowHandles()).length === 1, 10_000, "the call window is gone");
    await d.switchTo().window(mainWindow);

    // Closing the main window hides it to the tray, as WeChat's does: a call still rings, in
    // its own window.
    closeWindowTitled("Xin");
    await d.wait(async () => (await d.executeScript("return document.visibilityState")) === "hidden", 10_000, "the main window hides");
    await new Promise((r) => setTimeout(r, 2000));
    // The system notification that goes with the ring, as the session bus carries it to the
    // notification server.
    const monitor = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications',member='Notify'"]);
    let notified = "";
    monitor.stdout.on("data", (d) => (notified += d));
    await new Promise((r) => setTimeout(r, 500));
    await bob.page.getByTestId("phone-voice-call").click();
    await toCallWindow();
    await callState("ringing");
    await waitFor("the call's notification", async () => notified.includes('string "Bob"') && notified.includes('string "invites you to a voice call"'), 10_000);
    monitor.kill();
    await desktop.screenshot("109c-desktop-call-over-hidden-main");
    await (await desktop.find("call-decline")).click();
    await bob.page.locator('[data-testid="call-screen"][data-outcome="declined"]').waitFor({ timeout: 10_000 });
  });
});

describe("the desktop's call devices", () => {
  let server, desktop;

  before(async () => {
    server = await startServer();
    // No XIN_MOCK_CALL_MEDIA: the app looks for real devices, and this machine has none.
    desktop = await startDesktop(server.url);
  });

  after(async () => {
    await desktop?.stop();
    await server?.stop();
  });

  test("Settings offers the system's default devices, and a test says clearly when there is no sound system", async () => {
    const phone = await startPhone();
    try {
      await register(server, "dana", "13800000009");
      await phoneSignIn(phone.page, server.url, "dana");
      await signInDesktop(desktop, phone.page);
    } finally {
      await phone.stop();
    }
    await (await desktop.find("rail-settings")).click();
    const microphone = await desktop.find("setting-microphone");
    assert.equal(await microphone.getAttribute("value"), "", "the system's default is chosen");
    await (await desktop.find("test-speaker")).click();
    // This test machine runs no PulseAudio or PipeWire: the test says what went wrong.
    await desktop.driver.wait(async () => {
      const text = await (await desktop.find("call-device-note")).getText();
      return text !== "" && !/Playing a tone/.test(text);
    }, 15_000, "the speaker test answers");
    const note = await (await desktop.find("call-device-note")).getText();
    assert.doesNotMatch(note, /Did you hear the tone/, `no speaker here, yet: ${note}`);
    await desktop.screenshot("109-desktop-call-settings");
  });
});
