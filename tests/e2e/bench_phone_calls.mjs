// The phone companion's side of a call, measured (run by `cargo xtask bench`, not a test):
// two phones in their own Chromiums call each other N times (5 by default, XIN_BENCH_CALLS)
// through the release server, inside a network namespace whose only interface is its
// loopback. Per call: accept → first audio packet at each end, the jitter-buffer delay and the
// packets lost after 3 s (from Chromium's getStats), and hang-up → the other phone says the
// call ended, and → the call's line shown in its chat. Prints the medians as a Markdown table and writes it to
// XIN_BENCH_OUT.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { phoneSignIn, startPhone, startServer, tempDir, wav } from "./harness.mjs";

const CALLS = Number(process.env.XIN_BENCH_CALLS ?? 5);
const SWITCHES = ["--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"];
const tone = (hz) => wav(4, (t) => 0.5 * Math.sin(2 * Math.PI * hz * t));

async function post(server, token, path, body) {
  const r = await fetch(`${server.url}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

/** Inbound audio as the page's connection counts it. */
const inbound = (page) =>
  page.evaluate(async () => {
    const pc = window.__xinCall;
    if (!pc) return null;
    let found = null;
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        found = { packets: s.packetsReceived, lost: s.packetsLost, jitterBufferMs: s.jitterBufferEmittedCount ? (1000 * s.jitterBufferDelay) / s.jitterBufferEmittedCount : null };
      }
    });
    return found;
  });

/** Milliseconds from `t0` until `check` holds, polled every 5 ms. */
async function until(t0, check, ms = 15_000) {
  while (performance.now() - t0 < ms) {
    if (await check()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("timed out");
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = await startServer(["--signups-per-hour", "1000", "--attempts-per-minute", "1000"]);
const dir = tempDir("xin-bench-calls-");
writeFileSync(join(dir, "a.wav"), tone(440));
writeFileSync(join(dir, "b.wav"), tone(1000));
const device = { name: "bench", kind: "desktop", os: "Linux", app_version: "bench" };
const a = await post(server, null, "/accounts", { handle: "alice", phone: "13800000001", display_name: "Alice", password: "xin-demo-pass", device });
const b = await post(server, null, "/accounts", { handle: "bob", phone: "13800000002", display_name: "Bob", password: "xin-demo-pass", device });
const request = await post(server, a.access_token, "/friend-requests", { to: b.user.id, greeting: "hi" });
await post(server, b.access_token, `/friend-requests/${request.id}/answer`, { accept: true });
await post(server, a.access_token, "/conversations/direct", { with: b.user.id });
const alice = await startPhone(undefined, join(dir, "a.wav"), undefined, SWITCHES);
const bob = await startPhone(undefined, join(dir, "b.wav"), undefined, SWITCHES);
const rows = [];
try {
  for (const [phone, login] of [[alice, "alice"], [bob, "bob"]]) {
    await phoneSignIn(phone.page, server.url, login);
    await phone.page.getByTestId("phone-chat-row").first().click();
    await phone.page.getByTestId("phone-chat").waitFor();
  }
  for (let i = 0; i < CALLS; i++) {
    const lines = () => bob.page.locator('[data-testid="phone-call-line"]').count();
    const linesBefore = await lines();
    await alice.page.getByTestId("phone-voice-call").click();
    await bob.page.locator('[data-testid="call-screen"][data-state="ringing"]').waitFor();
    const accepted = performance.now();
    await bob.page.getByTestId("call-accept").click();
    const [aliceFirst, bobFirst] = await Promise.all(
      [alice, bob].map((p) => until(accepted, async () => ((await inbound(p.page))?.packets ?? 0) > 0)),
    );
    await new Promise((r) => setTimeout(r, 3000));
    const [aliceIn, bobIn] = await Promise.all([inbound(alice.page), inbound(bob.page)]);
    const hungUp = performance.now();
    await alice.page.getByTestId("call-hangup").click();
    const endSeen = await until(hungUp, async () => (await bob.page.locator('[data-testid="call-screen"][data-outcome="completed"]').count()) > 0);
    const lineShown = await until(hungUp, async () => (await lines()) > linesBefore);
    rows.push({ aliceFirst, bobFirst, jitter: Math.max(aliceIn.jitterBufferMs, bobIn.jitterBufferMs), lost: aliceIn.lost + bobIn.lost, endSeen, lineShown });
    console.log(`call ${i + 1}: ${JSON.stringify(rows.at(-1))}`);
    await new Promise((r) => setTimeout(r, 500));
  }
} finally {
  await alice.stop();
  await bob.stop();
  await server.stop();
}
const ms = (x) => `${Math.round(x)} ms`;
const table = [
  `| Phone ↔ phone voice call (Chromium's WebRTC), median of ${CALLS} | |`,
  "|---|---|",
  `| accept → first audio packet at the caller | ${ms(median(rows.map((r) => r.aliceFirst)))} |`,
  `| accept → first audio packet at the callee | ${ms(median(rows.map((r) => r.bobFirst)))} |`,
  `| jitter-buffer delay (getStats, the larger end) | ${median(rows.map((r) => r.jitter)).toFixed(1)} ms |`,
  `| packets lost, both ends, over 3 s | ${median(rows.map((r) => r.lost))} |`,
  `| hang-up → the other phone's screen says the call ended | ${ms(median(rows.map((r) => r.endSeen)))} |`,
  `| hang-up → the call's line in the other phone's chat (after the 2 s "ended" screen) | ${ms(median(rows.map((r) => r.lineShown)))} |`,
].join("\n");
console.log(table);
if (process.env.XIN_BENCH_OUT) writeFileSync(process.env.XIN_BENCH_OUT, table + "\n");
