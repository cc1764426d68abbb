// The phone companion on its own, in Chromium: sign-up and sign-in with their errors, Devices,
// the scanner's link box, and a confirm page for a code that does not exist.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { phoneSignUp, startPhone, startServer } from "./harness.mjs";

describe("phone companion", () => {
  let server, phone;

  before(async () => {
    server = await startServer();
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
});
