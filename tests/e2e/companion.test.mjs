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
});
