// The phone companion on its own, in Chromium: sign-up and sign-in with their errors, Devices,
// the scanner's link box, and a confirm page for a code that does not exist.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { phoneSignUp, startPhone, startServer, waitFor } from "./harness.mjs";

describe("phone companion", () => {
  let server, phone;

  before(async () => {
    // Payment codes pay up to ¥10 without the PIN here, so the test's small wallets reach it.
    server = await startServer(["--payment-code-no-pin-fen", "1000"]);
    phone = await startPhone();
  });

  after(async () => {
    await phone?.stop();
    await server?.stop();
  });

  test("sign up lands on Chats with the bottom tab bar", async () => {
    await phoneSignUp(phone.page, server.url, "bob", "13900000002");
    for (const tab of ["chats", "contacts", "scan", "wallet", "me"]) {
      assert.ok(await phone.page.getByTestId(`tab-${tab}`).isVisible(), `${tab} tab`);
    }
    await phone.screenshot("10-phone-chats");
  });

  test("Me → Devices lists this phone", async () => {
    await phone.page.getByTestId("tab-me").click();
    await phone.page.getByTestId("me-devices").click();
    const rows = phone.page.getByTestId("device");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute("data-current"), "true");
    await phone.screenshot("11-phone-devices");
  });

  test("a taken handle and a wrong password get clear messages", async () => {
    const page = (await phone.page.context().browser().newContext()).newPage();
    const p = await page;
    await p.goto(`${server.url}/m/`);
    await p.getByTestId("auth-switch").click();
    await p.locator('input[name="name"]').fill("Other Bob");
    await p.locator('input[name="handle"]').fill("bob");
    await p.locator('input[name="phone"]').fill("13900000003");
    await p.locator('input[name="password"]').fill("long enough");
    await p.getByTestId("auth-submit").click();
    assert.match(await p.getByRole("alert").textContent(), /already taken/);
    await p.screenshot({ path: `${process.env.XIN_E2E_OUT ?? "."}/12-phone-signup-error.png` });

    await p.getByTestId("auth-switch").click();
    await p.locator('input[name="login"]').fill("bob");
    await p.locator('input[name="password"]').fill("wrong password");
    await p.getByTestId("auth-submit").click();
    assert.match(await p.getByRole("alert").textContent(), /do not match/);
    await p.context().close();
  });

  test("the scanner refuses a link that is not a Xin login code", async () => {
    await phone.page.goto(`${server.url}/m/scan`);
    await phone.page.getByTestId("scan-link").fill("https://example.com/not-xin");
    await phone.page.getByTestId("scan-link").press("Enter");
    assert.match(await phone.page.getByRole("alert").textContent(), /not a Xin QR code/);
    await phone.screenshot("13-phone-scan");
  });

  test("an unknown login code says it cannot log in", async () => {
    await phone.page.goto(`${server.url}/m/l/AAAAAAAAAAAAAAAAAAAAAA`);
    await phone.page.getByTestId("confirm-error").waitFor();
    assert.match(await phone.page.getByTestId("confirm-error").textContent(), /not known/);
  });

  test("money from a friend: the phone opens a red envelope and accepts a transfer", async () => {
    const api = async (method, path, body, token) => {
      const r = await fetch(`${server.url}/api/v1${path}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const v = r.status === 204 ? null : await r.json();
      assert.ok(r.ok, `${path}: ${r.status} ${JSON.stringify(v)}`);
      return v;
    };
    const device = { name: "test", kind: "desktop", os: "Linux", app_version: "0.1.0" };
    const alice = await api("POST", "/accounts", { handle: "alice", phone: "13900000001", display_name: "Alice", password: "correct horse", device });
    const bob = await api("POST", "/sessions", { login: "bob", password: "correct horse", device });
    const a = alice.access_token;
    const req = await api("POST", "/friend-requests", { to: bob.user.id, greeting: "hi" }, a);
    await api("POST", `/friend-requests/${req.id}/answer`, { accept: true }, bob.access_token);
    const conv = (await api("POST", "/conversations/direct", { with: bob.user.id }, a)).id;
    const card = await api("POST", "/wallet/cards", { number: "4242424242424242" }, a);
    await api("PUT", "/wallet/pin", { pin: "135790" }, a);
    await api("POST", "/wallet/top-up", { idempotency_key: "t1", card_id: card.id, amount_fen: 10_000 }, a);
    await api("POST", "/wallet/envelopes", { idempotency_key: "e1", conversation_id: conv, kind: "normal", amount_fen: 888, shares: 1, note: "Happy birthday", pin: "135790" }, a);
    await api("POST", "/wallet/transfers", { idempotency_key: "x1", conversation_id: conv, amount_fen: 2_000, note: "Tickets", pin: "135790" }, a);

    await phone.page.goto(`${server.url}/m/`);
    await phone.page.locator('[data-testid="phone-chat-row"][data-title="Alice"]').click();
    const envelope = phone.page.getByTestId("phone-red-envelope");
    await envelope.click();
    await phone.page.locator('[data-testid="phone-red-envelope"][data-mine="888"]').waitFor();
    await phone.page.getByTestId("phone-transfer-accept").click();
    await phone.page.locator('[data-testid="phone-transfer"][data-state="accepted"]').waitFor();
    await phone.screenshot("14-phone-money");
    const wallet = await api("GET", "/wallet", undefined, bob.access_token);
    assert.equal(wallet.balance_fen, 888 + 2_000, "Bob has both");
    // The Wallet tab shows it: the balance and both bills.
    await phone.page.goto(`${server.url}/m/wallet`);
    await phone.page.locator('[data-testid="phone-balance"][data-fen="2888"]').waitFor();
    assert.match(await phone.page.getByTestId("phone-balance").innerText(), /¥28\.88/);
    const kinds = await phone.page.getByTestId("phone-bill").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
    assert.deepEqual(kinds, ["transfer_in", "envelope_grabbed"]);
    await phone.screenshot("15-phone-wallet");
  });
  test("the phone's PIN, its payment code charged by a shop, and the merchant till", async () => {
    const api = async (method, path, body, token) => {
      const r = await fetch(`${server.url}/api/v1${path}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const v = r.status === 204 ? null : await r.json();
      assert.ok(r.ok, `${path}: ${r.status} ${JSON.stringify(v)}`);
      return v;
    };
    const device = { name: "till", kind: "desktop", os: "Linux", app_version: "0.1.0" };
    const alice = (await api("POST", "/sessions", { login: "alice", password: "correct horse", device })).access_token;
    const page = phone.page;

    // Bob sets his first PIN, then forgets it and resets it here with his password.
    await page.goto(`${server.url}/m/wallet`);
    await page.getByTestId("wallet-pin").click();
    await page.getByTestId("pin-new").fill("246802");
    await page.getByTestId("pin-save").click();
    await page.getByTestId("pin-result").waitFor();
    await page.getByTestId("pin-forgot").click();
    await page.getByTestId("pin-password").fill("wrong horse");
    await page.getByTestId("pin-new").fill("975310");
    await page.getByTestId("pin-save").click();
    await page.getByRole("alert").filter({ hasText: "password" }).waitFor();
    assert.equal(await page.getByTestId("pin-result").count(), 0, "nothing changed");
    await page.getByTestId("pin-password").fill("correct horse");
    await page.getByTestId("pin-save").click();
    await page.getByTestId("pin-result").waitFor();

    // Pay: the PIN opens a one-time code; a shop (Alice's till, through the API) charges it and
    // the phone shows the payment at once.
    await page.goto(`${server.url}/m/wallet`);
    await page.getByTestId("wallet-pay").click();
    await page.getByTestId("pay-pin").fill("246802");
    await page.getByTestId("payment-code-show").click();
    await page.getByRole("alert").filter({ hasText: "Wrong PIN" }).waitFor();
    await page.getByTestId("pay-pin").fill("975310");
    await page.getByTestId("payment-code-show").click();
    const code = await page.getByTestId("payment-code").getAttribute("data-code");
    assert.match(code, /^13\d{16}$/);
    await phone.screenshot("16-phone-payment-code");
    const paid = await api("POST", "/wallet/collect", { idempotency_key: "till-1", code, amount_fen: 350, note: "Bubble tea" }, alice);
    assert.equal(paid.payer_name, "Bob");
    await page.locator('[data-testid="pay-done"][data-fen="350"]').waitFor();
    assert.match(await page.getByTestId("pay-done").innerText(), /Paid Alice[\s\S]*¥3\.50/);
    await phone.screenshot("17-phone-paid-by-code");

    // ¥12 is over Bob's no-PIN limit: the shop's charge waits, and Bob's phone asks for his PIN.
    await page.goto(`${server.url}/m/wallet/code`);
    await page.getByTestId("pay-pin").fill("975310");
    await page.getByTestId("payment-code-show").click();
    const bigCode = await page.getByTestId("payment-code").getAttribute("data-code");
    const pending = await api("POST", "/wallet/collect", { idempotency_key: "till-2", code: bigCode, amount_fen: 1_200, note: "Noodles" }, alice);
    assert.equal(pending.state, "pending", "nothing charged yet");
    await page.getByTestId("charge-confirm").waitFor();
    assert.match(await page.getByTestId("charge-confirm").innerText(), /Alice asks you to pay[\s\S]*¥12\.00[\s\S]*Noodles/);
    await phone.screenshot("17b-phone-confirm-charge");
    await page.getByTestId("charge-pin").fill("000000");
    await page.getByTestId("charge-pay").click();
    await page.getByRole("alert").filter({ hasText: "Wrong PIN" }).waitFor();
    assert.equal((await api("GET", `/wallet/charges/${pending.id}`, undefined, alice)).state, "pending");
    await page.getByTestId("charge-pin").fill("975310");
    await page.getByTestId("charge-pay").click();
    await page.locator('[data-testid="pay-done"][data-fen="1200"]').waitFor();
    assert.equal((await api("GET", `/wallet/charges/${pending.id}`, undefined, alice)).state, "paid", "the till sees it paid");

    // The till: Bob charges Alice's payment code by typing it; the same code twice is refused.
    const alicesCode = (await api("POST", "/wallet/payment-codes", { pin: "135790" }, alice)).code;
    await page.goto(`${server.url}/m/wallet/merchant`);
    await page.getByTestId("merchant-amount").fill("1.20");
    await page.getByTestId("merchant-code").fill(alicesCode);
    await page.getByTestId("merchant-charge").click();
    await page.locator('[data-testid="pay-done"][data-fen="120"]').waitFor();
    assert.match(await page.getByTestId("pay-done").innerText(), /Received from Alice/);
    await phone.screenshot("18-phone-merchant-till");
    await page.getByRole("button", { name: "Next customer" }).click();
    await page.getByTestId("merchant-amount").fill("1.20");
    await page.getByTestId("merchant-code").fill(alicesCode);
    await page.getByTestId("merchant-charge").click();
    await page.getByRole("alert").filter({ hasText: "expired or was already used" }).waitFor();

    // Over Alice's no-PIN limit the till waits for her, then shows the money received.
    const bigAlice = (await api("POST", "/wallet/payment-codes", { pin: "135790" }, alice)).code;
    await page.goto(`${server.url}/m/wallet/merchant`);
    await page.getByTestId("merchant-amount").fill("15");
    await page.getByTestId("merchant-code").fill(bigAlice);
    await page.getByTestId("merchant-charge").click();
    await page.getByTestId("merchant-waiting").waitFor();
    assert.match(await page.getByTestId("merchant-waiting").innerText(), /Waiting for Alice/);
    await phone.screenshot("18b-phone-till-waiting");
    const asked = (await api("GET", "/events?after=0", undefined, alice)).events.filter((e) => e.body.type === "charge").pop();
    await api("POST", `/wallet/charges/${asked.body.charge.id}/confirm`, { pin: "135790" }, alice);
    await page.locator('[data-testid="pay-done"][data-fen="1500"]').waitFor();
    const bob = (await page.evaluate(() => JSON.parse(localStorage.getItem("xin.session")))).access;
    assert.equal((await api("GET", "/wallet", undefined, bob)).balance_fen, 2_888 - 350 - 1_200 + 120 + 1_500);
  });
  test("Moments: the phone posts a photo, a friend likes and comments, the phone is told", async () => {
    const api = async (method, path, body, token) => {
      const r = await fetch(`${server.url}/api/v1${path}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const v = r.status === 204 ? null : await r.json();
      assert.ok(r.ok, `${path}: ${r.status} ${JSON.stringify(v)}`);
      return v;
    };
    const device = { name: "laptop", kind: "desktop", os: "Linux", app_version: "0.1.0" };
    const alice = (await api("POST", "/sessions", { login: "alice", password: "correct horse", device })).access_token;
    const page = phone.page;
    await page.goto(`${server.url}/m/`);
    await page.getByTestId("tab-moments").click();
    await page.getByTestId("moments-compose").click();
    await page.getByTestId("new-post-text").fill("First light on the ridge");
    await page.getByTestId("new-post-file").setInputFiles(new URL("../../crates/xin-demo/assets/video-thumb.jpg", import.meta.url).pathname);
    await page.getByTestId("new-post-submit").click();
    const mine = page.locator('[data-testid="post"][data-text="First light on the ridge"]');
    await mine.waitFor();
    await waitFor("the photo shows", () => mine.locator("img").evaluate((img) => img.complete && img.naturalWidth > 0));

    // Alice sees it, picture included, likes it and comments.
    const feed = await api("GET", "/moments", undefined, alice);
    const post = feed.posts.find((p) => p.text === "First light on the ridge");
    assert.ok(post, "Bob's post is on Alice's timeline");
    const picture = await fetch(`${server.url}/api/v1/blobs/${post.images[0]}`, { headers: { authorization: `Bearer ${alice}` } });
    assert.equal(picture.status, 200, "Alice may load Bob's picture");
    await page.getByTestId("tab-chats").click();
    await api("PUT", `/moments/${post.id}/like`, undefined, alice);
    await api("POST", `/moments/${post.id}/comments`, { text: "Gorgeous! Where is this?" }, alice);
    await waitFor("the Moments badge", async () => (await page.getByTestId("moments-badge").textContent()) === "2");
    await phone.screenshot("21-phone-moments-badge");
    await page.getByTestId("tab-moments").click();
    await waitFor("Alice's like", async () => /Alice/.test((await mine.getByTestId("post-likes").textContent()) ?? ""));
    assert.match(await mine.getByTestId("post-comment-line").first().innerText(), /Alice: Gorgeous! Where is this\?/);
    assert.equal(await page.getByTestId("moments-badge").count(), 0, "opening Moments clears the badge");
    // Bob answers Alice from the phone: tapping her comment replies to her.
    await mine.getByTestId("post-comment-line").first().click();
    assert.equal(await mine.getByTestId("post-comment-input").getAttribute("placeholder"), "Reply to Alice");
    await mine.getByTestId("post-comment-input").fill("Ridge above the hut 🏔");
    await mine.getByTestId("post-comment-input").press("Enter");
    await waitFor("Bob's comment", async () => (await mine.getByTestId("post-comment-line").count()) === 2);
    await phone.screenshot("22-phone-moments");
    const seen = await api("GET", `/moments/${post.id}`, undefined, alice);
    assert.deepEqual(seen.comments.map((c) => c.text), ["Gorgeous! Where is this?", "Ridge above the hut 🏔"]);
    assert.equal(seen.comments[1].reply_to?.display_name, "Alice", "a reply to Alice");
    assert.match(await mine.getByTestId("post-comment-line").nth(1).innerText(), /Bob replied to Alice: Ridge above the hut/);

    // A post hidden from Alice, choosing her in the phone's audience list.
    await page.getByTestId("moments-compose").click();
    await page.getByTestId("new-post-text").fill("Planning Alice's birthday 🎈");
    await page.getByTestId("new-post-visibility").selectOption("except");
    await page.locator('[data-testid="new-post-friend"][data-name="Alice"] input').check();
    await phone.screenshot("24-phone-moments-audience");
    await page.getByTestId("new-post-submit").click();
    await page.locator('[data-testid="post"][data-text^="Planning Alice"]').waitFor();
    const hers = await api("GET", "/moments", undefined, alice);
    assert.ok(!hers.posts.some((p) => p.text.startsWith("Planning Alice")), "hidden from Alice");
    // Bob deletes it from the phone.
    await page.locator('[data-testid="post"][data-text^="Planning Alice"]').getByTestId("post-delete").click();
    await waitFor("the post is gone", async () => (await page.locator('[data-testid="post"][data-text^="Planning Alice"]').count()) === 0);
    const bobs = (await page.evaluate(() => JSON.parse(localStorage.getItem("xin.session")))).access;
    assert.ok(!(await api("GET", "/moments", undefined, bobs)).posts.some((p) => p.text.startsWith("Planning Alice")));
  });
});

// Access tokens that live three seconds, so the phone meets a lapsed one at once.
describe("the phone's session and the addresses of its files", () => {
  let server, phone;

  before(async () => {
    server = await startServer(["--access-ttl-secs", "3"]);
    phone = await startPhone();
  });

  after(async () => {
    await phone?.stop();
    await server?.stop();
  });

  test("pictures load through links signed for them, not the access token, and a lapsed token signs nobody out", async () => {
    const page = phone.page;
    await phoneSignUp(page, server.url, "carol", "13900000007");
    await page.getByTestId("tab-moments").click();
    await page.getByTestId("moments-compose").click();
    await page.getByTestId("new-post-text").fill("Harbour at dusk");
    await page.getByTestId("new-post-file").setInputFiles(new URL("../../crates/xin-demo/assets/video-thumb.jpg", import.meta.url).pathname);
    await page.getByTestId("new-post-submit").click();
    const post = page.locator('[data-testid="post"][data-text="Harbour at dusk"]');
    const shows = () => post.locator("img").evaluate((img) => img.complete && img.naturalWidth > 0);
    await waitFor("the photo shows", shows);

    const session = () => page.evaluate(() => JSON.parse(localStorage.getItem("xin.session")));
    const first = await session();
    const src = await post.locator("img").getAttribute("src");
    assert.match(src, /^\/api\/v1\/blobs\/[0-9a-f]{64}\?link=[0-9a-f-]{36}\.\d+\.[0-9a-f]{64}$/);
    assert.ok(!src.includes(first.access) && !src.includes(first.refresh), "no token in the address");
    assert.equal((await fetch(server.url + src)).status, 200, "the link alone opens the picture");

    // The token lapses; opening the app again, its first screens ask for several things at
    // once and each finds the token expired. One refresh serves them all: a second with the
    // same refresh token would look stolen, and the server would sign the phone out.
    await new Promise((r) => setTimeout(r, 3500));
    await page.goto(`${server.url}/m/moments`);
    await waitFor("the photo shows again", shows);
    await page.getByTestId("tab-chats").click();
    await page.getByTestId("tab-me").click();
    const now = await session();
    assert.notEqual(now.access, first.access, "the token was refreshed");
    assert.deepEqual(now.media, first.media, "and the links' key kept");
    const devices = await fetch(`${server.url}/api/v1/devices`, { headers: { authorization: `Bearer ${now.access}` } });
    assert.equal(devices.status, 200, `still signed in: ${await devices.text()}`);

    // Logging out ends every link the phone made.
    await page.getByTestId("me-log-out").click();
    await page.getByTestId("auth-submit").waitFor();
    const gone = await fetch(server.url + src);
    assert.equal(gone.status, 401);
    assert.equal((await gone.json()).error.code, "session_revoked");
  });

  test("a phone signed out from another device while closed opens on the sign-in page", async () => {
    const page = phone.page;
    await page.goto(`${server.url}/m/`);
    await page.locator('input[name="login"]').fill("carol");
    await page.locator('input[name="password"]').fill("correct horse");
    await page.getByTestId("auth-submit").click();
    await page.getByTestId("tab-me").waitFor();
    const { device_id } = await page.evaluate(() => JSON.parse(localStorage.getItem("xin.session")));
    await page.goto("about:blank");

    // Carol removes the phone from her laptop.
    const device = { name: "laptop", kind: "desktop", os: "Linux", app_version: "0.1.0" };
    const laptop = await (await fetch(`${server.url}/api/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: "carol", password: "correct horse", device }) })).json();
    const removed = await fetch(`${server.url}/api/v1/devices/${device_id}`, { method: "DELETE", headers: { authorization: `Bearer ${laptop.access_token}` } });
    assert.equal(removed.status, 204);

    await page.goto(`${server.url}/m/`);
    await page.getByTestId("auth-submit").waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => localStorage.getItem("xin.session")), null);
    await phone.screenshot("12b-phone-signed-out-elsewhere");
  });
});

// Sessions that may live no time at all, and access tokens of two seconds: the phone's first
// refresh finds its session past its lifetime.
describe("a phone session past its lifetime", () => {
  let server, phone;

  before(async () => {
    server = await startServer(["--access-ttl-secs", "2", "--session-max-days", "0"]);
    phone = await startPhone();
  });

  after(async () => {
    await phone?.stop();
    await server?.stop();
  });

  test("returns to the sign-in page, which says why, and a new sign-in works", async () => {
    const page = phone.page;
    await phoneSignUp(page, server.url, "dora", "13900000008");
    await new Promise((r) => setTimeout(r, 2_500));
    await page.getByTestId("tab-contacts").click();
    await page.getByTestId("auth-expired").waitFor();
    assert.match(await page.getByTestId("auth-expired").innerText(), /long time since you logged in on this phone/);
    assert.equal(await page.evaluate(() => localStorage.getItem("xin.session")), null);
    await phone.screenshot("12c-phone-session-expired");
    await page.locator('input[name="login"]').fill("dora");
    await page.locator('input[name="password"]').fill("correct horse");
    await page.getByTestId("auth-submit").click();
    await page.getByTestId("tab-scan").waitFor();
  });
});
