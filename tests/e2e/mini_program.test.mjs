// The sample mini-program, for real: the demo publishes Summit Coffee and starts its own
// backend (xin-coffee); Alice opens it on the desktop in its sandbox window, is logged in
// through a login code, orders, and pays with her PIN in Xin's own window. From inside the
// sandbox nothing else of Xin is reachable.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { By, OUT, until, freePort, phoneSignIn, startBrowser, startDesktop, startPhone, startServer, waitFor, writeY4m, tempDir } from "./harness.mjs";

describe("a mini-program on the desktop", () => {
  let server, desktop, coffee, main, sandbox, phone;
  const api = (path) => `${server.url}/api/v1${path}`;
  /** Runs `script` (async, its result passed to `done`) in the window that is current. */
  const inPage = (script, ...args) =>
    desktop.driver.executeAsyncScript(`const done = arguments[arguments.length - 1]; (async () => { ${script} })().then(done, (e) => done({ thrown: String(e && (e.message || e)) }));`, ...args);
  const wallet = () => desktop.invoke("wallet");
  const post = async (path, body, token) => {
    const r = await fetch(api(path), { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body ?? {}) });
    assert.ok(r.ok, `${path}: ${r.status}`);
    return r.status === 204 ? null : r.json();
  };
  const signIn = (login) => post("/sessions", { login, password: "xin-demo-pass", device: { name: `${login}'s phone`, kind: "phone", os: "Android", app_version: "0.1.0" } });

  before(async () => {
    server = await startServer(["--webhook-private-hosts"]);
    const port = await freePort();
    const config = join(tempDir("xin-coffee-"), "config");
    execFileSync(process.env.XIN_DEMO_BIN, ["--server", server.url, "--coffee-url", `http://127.0.0.1:${port}`, "--coffee-out", config], { stdio: "inherit" });
    const field = (name) => readFileSync(config, "utf8").split("\n").find((l) => l.startsWith(`${name}=`)).slice(name.length + 1);
    coffee = spawn(process.env.XIN_COFFEE_BIN, ["--xin", server.url, "--account", field("account"), "--secret", field("secret"), "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "inherit", "inherit"] });
    await waitFor("xin-coffee", async () => (await fetch(`http://127.0.0.1:${port}/api/menu`)).ok);
    // Developer mode: the sample's backend is plain HTTP on loopback.
    desktop = await startDesktop(server.url, { XIN_DEVELOPER: "1" });
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
    coffee?.kill();
    await server?.stop();
  });

  test("Alice opens Summit Coffee from the café's menu, is logged in, orders and pays with her PIN; her wallet is charged once", async () => {
    const phone = await signIn("alice");
    const ticket = (await desktop.attr("login-qr", "data-url")).split("/").pop();
    await post(`/login-tickets/${ticket}/scan`, {}, phone.access_token);
    await post(`/login-tickets/${ticket}/confirm`, { code: await desktop.attr("login-code", "data-code") }, phone.access_token);
    await desktop.find("main-window");
    main = await desktop.driver.getWindowHandle();
    const before = (await wallet()).balance_fen;

    // The café's chat menu opens it, in its own window.
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="service-row"][data-title="Summit Coffee"]'))).length === 1, 20_000, "the café's chat");
    await (await desktop.driver.findElement(By.css('[data-testid="service-row"][data-title="Summit Coffee"]'))).click();
    for (const item of ["//button[@data-testid='official-menu-button'][contains(., 'Order')]", "//button[@data-testid='official-menu-item'][contains(., 'Order ahead')]"]) {
      await (await desktop.driver.wait(until.elementLocated(By.xpath(item)), 20_000, item)).click();
    }
    await desktop.driver.wait(async () => (await desktop.driver.getAllWindowHandles()).length === 2, 20_000, "the mini-program's window opens from the menu");
    sandbox = (await desktop.driver.getAllWindowHandles()).find((h) => h !== main);

    // Mini Programs: the demo pinned Summit Coffee for Alice; Open brings the same window back,
    // never a second one.
    await (await desktop.find("rail-miniprograms")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="mini-program-row"][data-name="Summit Coffee"]'))).length === 1, 20_000, "Summit Coffee is listed");
    await desktop.find("mini-program-card");
    await desktop.screenshot("90-mini-programs");
    await (await desktop.find("open-mini-program")).click();
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual((await desktop.driver.getAllWindowHandles()).sort(), [main, sandbox].sort());
    await desktop.driver.switchTo().window(sandbox);
    assert.match(await desktop.driver.getCurrentUrl(), /^xinmp:\/\/[0-9a-f]{32}\/index\.html$/);
    // The menu comes from the shop's backend, after it exchanged Alice's login code.
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css("#menu li"))).length === 5, 20_000, "the menu after login");
    await desktop.screenshot("91-mini-program-menu");

    // Two flat whites: the cart and the pay button.
    for (let i = 0; i < 2; i++) {
      await (await desktop.driver.findElement(By.css('#menu li[data-item="flat-white"] .add'))).click();
    }
    await desktop.driver.wait(async () => (await (await desktop.driver.findElement(By.id("pay"))).getText()) === "Pay ¥56.00", 5_000, "the cart's total");
    await (await desktop.driver.findElement(By.id("pay"))).click();

    // The payment is confirmed in Xin's own window, with the amount the backend set.
    await desktop.driver.switchTo().window(main);
    await desktop.find("mini-program-payment");
    assert.equal(await (await desktop.find("mini-program-amount")).getText(), "¥56.00");
    await desktop.screenshot("92-mini-program-pay");
    const pin = await desktop.find("pin-input");
    await pin.sendKeys("000000");
    await (await desktop.find("modal-submit")).click();
    await desktop.find("modal-error");
    assert.equal((await wallet()).balance_fen, before, "no PIN, no payment");
    await desktop.driver.executeScript("const i = arguments[0]; Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(i, ''); i.dispatchEvent(new Event('input', { bubbles: true }));", pin);
    await pin.sendKeys("123456");
    await (await desktop.find("modal-submit")).click();
    // The dialog may vanish while it is being looked up (a stale element): look again.
    const dialogGone = async () => (await desktop.driver.findElements(By.css('[data-testid="mini-program-payment"]'))).length === 0;
    await desktop.driver.wait(() => dialogGone().catch(() => false), 20_000, "the payment dialog closes");

    // Back in the mini-program: paid, as the shop's backend sees it.
    await desktop.driver.switchTo().window(sandbox);
    await desktop.driver.wait(async () => /Paid ¥56\.00/.test(await (await desktop.driver.findElement(By.id("order-state"))).getText()), 20_000, "the order is paid");
    await desktop.screenshot("93-mini-program-paid");
    await desktop.driver.switchTo().window(main);
    assert.equal((await wallet()).balance_fen, before - 5_600, "charged once, the order's amount");

    // Alice shares it with Bob: a card in their chat that opens it.
    await (await desktop.find("rail-miniprograms")).click();
    await (await desktop.find("share-mini-program")).click();
    const bob = By.css('[data-testid="share-chat"][data-title="Bob"]');
    await desktop.driver.wait(async () => (await desktop.driver.findElements(bob)).length === 1, 20_000, "the chats to share to");
    await (await desktop.driver.findElement(bob)).click();
    await desktop.driver.wait(async () => /Shared to Bob/.test(await (await desktop.find("mini-program-note")).getText()), 20_000, "shared");
    await (await desktop.find("rail-chats")).click();
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    const card = await desktop.driver.wait(until.elementLocated(By.css('[data-testid="mini-program-bubble"][data-name="Summit Coffee"]')), 20_000, "the card in the chat");
    await desktop.screenshot("99-mini-program-card");
    await card.click();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await desktop.driver.getAllWindowHandles()).length, 2, "the card brings back its window");
  });

  test("the profile is shared only when Alice agrees, each time", async () => {
    await desktop.driver.switchTo().window(sandbox);
    await (await desktop.driver.findElement(By.id("again"))).click();
    const ask = async (answer) => {
      await desktop.driver.switchTo().window(sandbox);
      await (await desktop.driver.findElement(By.id("name-on-cup"))).click();
      await desktop.driver.switchTo().window(main);
      await (await desktop.find(answer)).click();
      await desktop.driver.switchTo().window(sandbox);
    };
    await ask("mini-program-deny");
    await desktop.driver.wait(async () => /did not share/.test(await (await desktop.driver.findElement(By.id("status"))).getText()), 10_000, "a refusal");
    assert.doesNotMatch(await (await desktop.driver.findElement(By.id("greeting"))).getText(), /Alice/);
    await ask("mini-program-allow");
    await desktop.driver.wait(async () => /Hi Alice/.test(await (await desktop.driver.findElement(By.id("greeting"))).getText()), 10_000, "the name after agreeing");
  });

  test("from inside the sandbox, Xin's commands, other origins and unlisted domains are out of reach", async () => {
    await desktop.driver.switchTo().window(sandbox);
    // Any app command: refused by the ACL (sending a message, reading the wallet).
    for (const [cmd, args] of [["send_text", { conversation: "00000000-0000-0000-0000-000000000000", text: "hi" }], ["wallet", {}], ["open_mini_program", { program: "x" }]]) {
      const r = await inPage("return await window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]);", cmd, args);
      assert.ok(r && r.thrown, `${cmd} must be refused, got ${JSON.stringify(r)}`);
      assert.match(r.thrown, /not allowed/i, cmd);
    }
    // fetch to Xin's own server (or anywhere): blocked by the CSP.
    const fetched = await inPage("const r = await fetch(arguments[0]); return { status: r.status };", api("/health"));
    assert.ok(fetched.thrown, `fetch must fail, got ${JSON.stringify(fetched)}`);
    // xin.request() to a domain not in app.json: refused by the bridge.
    const outside = await inPage("return await xin.request({ url: 'https://example.com/' });");
    assert.match(outside.thrown ?? "", /not among this mini-program's domains/);
    // Navigating away (another scheme, another origin): the window stays on its package.
    for (const target of ["https://example.com/", `${server.url}/m/`, "xinmp://0123456789abcdef0123456789abcdef/index.html"]) {
      await desktop.driver.executeScript("location.href = arguments[0];", target);
      await new Promise((r) => setTimeout(r, 700));
      assert.match(await desktop.driver.getCurrentUrl(), /^xinmp:\/\/[0-9a-f]{32}\/index\.html$/, target);
    }
    // Xin's theme colours are there for its pages as CSS variables.
    assert.equal(await desktop.driver.executeScript("return getComputedStyle(document.documentElement).getPropertyValue('--xin-green').trim()"), "#07c160");
    // Its storage holds its session; the bridge answers for this mini-program only.
    const keys = await inPage("return await xin.storage.keys();");
    assert.deepEqual(keys, ["session"]);
    await desktop.driver.switchTo().window(main);
  });

  test("on the phone it runs in a sandboxed frame: Bob scans its code, orders and pays with his PIN in the companion", async () => {
    // The desktop's Mini Programs card shows the mini-program's code; Bob's phone camera sees it.
    await desktop.driver.switchTo().window(main);
    await (await desktop.find("rail-miniprograms")).click();
    const url = await desktop.attr("mini-program-code", "data-url");
    const video = join(OUT, "mini-program-camera.y4m");
    writeY4m(await desktop.screenshot("98-mini-program-code"), video);
    phone = await startPhone(video);
    const page = phone.page;
    await phoneSignIn(page, server.url, "bob");
    const bob = await signIn("bob");
    const balance = async () => (await (await fetch(api("/wallet"), { headers: { authorization: `Bearer ${bob.access_token}` } })).json()).balance_fen;
    const before = await balance();

    // Contacts › Mini Programs finds it by name.
    await page.getByTestId("tab-contacts").click();
    await page.getByTestId("phone-mini-programs-entry").click();
    await page.getByTestId("phone-mini-program-search").fill("summit");
    await page.locator('[data-testid="phone-mini-program"][data-name="Summit Coffee"]').waitFor();

    // Scan: the code opens it (a fake camera that starts badly gets another chance, as a person
    // would reopen Scan).
    for (let attempt = 1; ; attempt++) {
      await page.goto(`${server.url}/m/scan`);
      try {
        await page.waitForURL(url, { timeout: 20_000 });
        break;
      } catch (e) {
        await phone.screenshot(`failed-mini-program-scan-${attempt}`);
        if (attempt === 3) throw e;
      }
    }
    const app = page.frameLocator('[data-testid="phone-mini-program-frame"]');
    await app.locator("#menu li").nth(4).waitFor({ timeout: 20_000 });
    await phone.screenshot("94-phone-mini-program");

    // The frame has no way into the companion: no parent DOM, no storage, no network.
    const frame = page.frames().find((f) => f.url().includes("/files/"));
    assert.ok(frame, "the mini-program's frame");
    const probe = await frame.evaluate(async () => {
      const tries = {};
      try { tries.parent = typeof window.parent.document; } catch (e) { tries.parent = `blocked: ${e.name}`; }
      try { tries.storage = typeof localStorage.length; } catch (e) { tries.storage = `blocked: ${e.name}`; }
      try { await fetch("/api/v1/health"); tries.fetch = "reached"; } catch (e) { tries.fetch = `blocked: ${e.name}`; }
      tries.origin = window.origin;
      return tries;
    });
    assert.match(probe.parent, /^blocked/, JSON.stringify(probe));
    assert.match(probe.storage, /^blocked/, JSON.stringify(probe));
    assert.match(probe.fetch, /^blocked/, JSON.stringify(probe));
    assert.equal(probe.origin, "null", "an opaque origin");
    const outside = await frame.evaluate(() => xin.request({ url: "https://example.com/" }).then(() => "reached", (e) => e.message));
    assert.match(outside, /not among this mini-program's domains/);

    // Order and pay: the amount is the backend's, the PIN is asked outside the frame.
    await app.locator('#menu li[data-item="croissant"] .add').click();
    await app.locator("#pay").filter({ hasText: "Pay ¥18.00" }).click();
    await page.getByTestId("phone-mini-program-payment").waitFor();
    assert.equal(await page.getByTestId("phone-mini-program-amount").innerText(), "¥18.00");
    await page.getByTestId("phone-mini-program-pin").fill("000000");
    await page.getByTestId("phone-mini-program-pay").click();
    await page.getByTestId("phone-mini-program-pay-error").waitFor();
    assert.equal(await balance(), before, "no PIN, no payment");
    await page.getByTestId("phone-mini-program-pin").fill("123456");
    await phone.screenshot("95-phone-mini-program-pay");
    await page.getByTestId("phone-mini-program-pay").click();
    await app.locator("#order-state").filter({ hasText: "Paid ¥18.00" }).waitFor({ timeout: 20_000 });
    await phone.screenshot("96-phone-mini-program-paid");
    assert.equal(await balance(), before - 1_800);

    // The card Alice shared opens it from the chat too.
    await page.goto(`${server.url}/m/`);
    await page.locator('[data-testid="phone-chat-row"][data-title="Alice"]').click();
    await page.getByTestId("phone-mini-program-card").click();
    await page.waitForURL(url);
  });

  test("Carol's console lists the published mini-program and explains a package it refuses", async () => {
    const browser = await startBrowser();
    try {
      const c = browser.page;
      await c.goto(`${server.url}/console/`);
      const ticket = (await c.getByTestId("console-qr").getAttribute("data-url")).split("/").pop();
      const carol = await signIn("carol");
      await post(`/login-tickets/${ticket}/scan`, {}, carol.access_token);
      await post(`/login-tickets/${ticket}/confirm`, { code: await c.getByTestId("console-code").getAttribute("data-code") }, carol.access_token);
      await c.locator('[data-testid="console-account"][data-name="Summit Coffee"]').click();
      await c.getByTestId("tab-mini-programs").click();
      await c.locator('[data-testid="console-mini-program"][data-name="Summit Coffee"]').filter({ hasText: "v1.0.0" }).waitFor();
      // A file that is not a package: refused with the reason, nothing published.
      await c.getByTestId("mini-program-upload").setInputFiles(new URL("../../mini-programs/summit-coffee/icon.png", import.meta.url).pathname);
      await c.getByTestId("mini-program-error").filter({ hasText: "not a valid mini-program package" }).waitFor();
      await browser.screenshot("97-console-mini-programs");
      assert.equal(await c.getByTestId("console-mini-program").count(), 1);
    } finally {
      await browser.stop();
    }
  });
});
