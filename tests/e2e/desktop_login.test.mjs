// QR login end to end: the real desktop app shows a QR, the phone companion in Chromium scans
// it through a fake camera fed from a screenshot of the real window, picks the number the
// desktop shows, and the desktop signs in. Then: one-tap login of the remembered computer,
// and signing the desktop out from the phone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import {
  OUT, decodeQr, filesUnder, keyringSecrets, phoneSignUp, startDesktop, startPhone, startServer, waitFor, writeY4m,
} from "./harness.mjs";

describe("desktop login from the phone", () => {
  let server, desktop, phone;
  /** This test's secrets: keyring entries are keyed by server URL and account. */
  const ours = () => Object.fromEntries(Object.entries(keyringSecrets()).filter(([k]) => k.includes(`:${server.url}:`)));

  before(async () => {
    // The camera test below needs its QR to outlive a slow start of the phone's browser.
    server = await startServer(["--ticket-pending-secs", "300"]);
    desktop = await startDesktop(server.url);
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
    await server?.stop();
  });

  test("the login window shows a QR that the phone scans and confirms with the matching number", async () => {
    await desktop.find("login-window");
    const qr = await desktop.find("login-qr");
    const shown = await qr.getAttribute("data-url");
    const shot = await desktop.screenshot("01-desktop-login-qr");
    const url = decodeQr(shot);
    assert.equal(url, shown, "the QR on screen encodes the ticket URL");
    assert.match(url, new RegExp(`^${server.url}/m/l/[A-Za-z0-9_-]{22,}$`));

    const video = join(OUT, "camera.y4m");
    writeY4m(shot, video);
    phone = await startPhone(video);
    await phoneSignUp(phone.page, server.url, "alice", "13800000001");
    // The camera finds the QR by itself and opens the confirm page. A camera that starts badly
    // (it happens under load) gets a second and third chance, as a person would reopen Scan.
    for (let attempt = 1; ; attempt++) {
      await phone.page.getByTestId("tab-scan").click();
      try {
        await phone.page.getByTestId("confirm-code").first().waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        await phone.screenshot(`failed-scan-${attempt}`);
        if (attempt === 3) throw e;
        await phone.page.goto(`${server.url}/m/`);
      }
    }
    assert.equal(await phone.page.getByTestId("confirm-device").textContent(), await deviceName(desktop));
    const choices = await phone.page.getByTestId("confirm-code").evaluateAll((els) => els.map((e) => e.dataset.code));
    assert.equal(choices.length, 3);
    await phone.screenshot("02-phone-confirm");

    // The desktop now shows who scanned and the number to tap.
    await desktop.find("login-scanned");
    const code = await desktop.attr("login-code", "data-code");
    assert.ok(choices.includes(code), `the desktop's ${code} is among ${choices}`);
    await desktop.screenshot("03-desktop-scanned");

    await phone.page.locator(`[data-testid="confirm-code"][data-code="${code}"]`).click();
    await phone.page.getByTestId("confirm-done").waitFor();
    await desktop.find("main-window");
    await desktop.screenshot("04-desktop-main");

    // Credentials went to the Secret Service, and to no file.
    const secrets = await waitFor("the refresh token in the keyring", () => {
      const s = ours();
      return Object.keys(s).some((k) => k.startsWith("refresh:")) ? s : null;
    });
    const tokens = Object.values(secrets);
    assert.ok(tokens.length >= 2, "refresh and remember tokens are stored");
    for (const [path, bytes] of filesUnder(desktop.dataDir)) {
      for (const t of tokens) assert.ok(!bytes.includes(Buffer.from(t)), `a token is in ${path}`);
    }

    // Settings → Devices lists this computer and the phone.
    await (await desktop.find("rail-settings")).click();
    await waitFor("two devices", async () => (await desktop.driver.findElements({ css: '[data-testid="device-row"]' })).length === 2);
    await desktop.screenshot("05-desktop-devices");
  });

  test("after logging out, the remembered computer logs in again with one tap on the phone", async () => {
    await (await desktop.find("sign-out")).click();
    await desktop.find("login-remembered");
    await waitFor("the refresh token to leave the keyring", () => !Object.keys(ours()).some((k) => k.startsWith("refresh:")), 5000);
    await desktop.screenshot("06-desktop-remembered");

    await (await desktop.find("login-remembered-button")).click();
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("login-request-confirm").click({ timeout: 20_000 });
    await desktop.find("main-window");
    assert.ok(Object.keys(ours()).some((k) => k.startsWith("refresh:")));
  });

  test("the main window opens centred, and keeps its size and place across a sign-out and a restart", async () => {
    const win = () => desktop.driver.manage().window();
    const rect = async () => {
      const r = await win().getRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    // Centred the first time (the screen's size as the page sees it).
    const first = await rect();
    const screen = await desktop.driver.executeScript("return [screen.width, screen.height]");
    assert.ok(Math.abs(first.x + first.width / 2 - screen[0] / 2) <= 40, `centred: ${JSON.stringify(first)} on ${screen}`);
    assert.ok(first.width >= 720 && first.height >= 500, "at least the minimum size");

    // Alice moves and resizes it.
    await win().setRect({ x: 60, y: 40, width: 1180, height: 780 });
    await waitFor("the new size", async () => (await rect()).width === 1180, 5000);
    const moved = await rect();

    // Signed out, it is the login card; signed in again, it is back where she left it.
    await (await desktop.find("rail-settings")).click();
    await (await desktop.find("sign-out")).click();
    await desktop.find("login-remembered");
    await waitFor("the login card", async () => (await rect()).width < 400, 5000);
    await (await desktop.find("login-remembered-button")).click();
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("login-request-confirm").click({ timeout: 20_000 });
    await desktop.find("main-window");
    await waitFor("the remembered size", async () => (await rect()).width === moved.width, 5000);
    assert.deepEqual(await rect(), moved);

    // Quit and start again: the same.
    const dataDir = desktop.dataDir;
    await desktop.stop();
    desktop = await startDesktop(server.url, { XIN_DATA_DIR: dataDir });
    desktop.dataDir = dataDir;
    await desktop.find("login-remembered");
    await (await desktop.find("login-remembered-button")).click();
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("login-request-confirm").click({ timeout: 20_000 });
    await desktop.find("main-window");
    await waitFor("the remembered size after a restart", async () => (await rect()).width === moved.width, 5000);
    assert.deepEqual(await rect(), moved);
  });

  test("signing the desktop out from the phone returns it to the login window and says why", async () => {
    await phone.page.goto(`${server.url}/m/me`);
    await phone.page.getByTestId("me-devices").click();
    await phone.page.locator('[data-testid="device"][data-kind="desktop"] [data-testid="device-sign-out"]').click();
    await phone.screenshot("07-phone-devices");

    const notice = await desktop.find("login-notice");
    assert.match(await notice.getText(), /signed out/i);
    await desktop.find("login-qr");
    await desktop.screenshot("08-desktop-signed-out");
    assert.deepEqual(Object.keys(ours()), [], "no credential is left behind");
  });
});

async function deviceName(desktop) {
  // The name the desktop reports is the machine's host name.
  const { execFileSync } = await import("node:child_process");
  return execFileSync("hostname", { encoding: "utf8" }).trim();
}
