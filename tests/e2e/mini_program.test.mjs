// The sample mini-program, for real: the demo publishes Summit Coffee and starts its own
// backend (xin-coffee); Alice opens it on the desktop in its sandbox window, is logged in
// through a login code, orders, and pays with her PIN in Xin's own window. From inside the
// sandbox nothing else of Xin is reachable.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { By, freePort, startDesktop, startServer, waitFor } from "./harness.mjs";

describe("a mini-program on the desktop", () => {
  let server, desktop, coffee, main, sandbox;
  const api = (path) => `${server.url}/api/v1${path}`;
  /** Runs `script` (async, its result passed to `done`) in the window that is current. */
  const inPage = (script, ...args) =>
    desktop.driver.executeAsyncScript(`const done = arguments[arguments.length - 1]; (async () => { ${script} })().then(done, (e) => done({ thrown: String(e && (e.message || e)) }));`, ...args);
  const wallet = () => desktop.invoke("wallet");

  before(async () => {
    server = await startServer(["--webhook-private-hosts"]);
    const port = await freePort();
    const config = join(mkdtempSync(join(tmpdir(), "xin-coffee-")), "config");
    execFileSync(process.env.XIN_DEMO_BIN, ["--server", server.url, "--coffee-url", `http://127.0.0.1:${port}`, "--coffee-out", config], { stdio: "inherit" });
    const field = (name) => readFileSync(config, "utf8").split("\n").find((l) => l.startsWith(`${name}=`)).slice(name.length + 1);
    coffee = spawn(process.env.XIN_COFFEE_BIN, ["--xin", server.url, "--account", field("account"), "--secret", field("secret"), "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "inherit", "inherit"] });
    await waitFor("xin-coffee", async () => (await fetch(`http://127.0.0.1:${port}/api/menu`)).ok);
    // Developer mode: the sample's backend is plain HTTP on loopback.
    desktop = await startDesktop(server.url, { XIN_DEVELOPER: "1" });
  });

  after(async () => {
    await desktop?.stop();
    coffee?.kill();
    await server?.stop();
  });

  test("Alice opens Summit Coffee, is logged in, orders and pays with her PIN; her wallet is charged once", async () => {
    const post = async (path, body, token) => {
      const r = await fetch(api(path), { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body ?? {}) });
      assert.ok(r.ok, `${path}: ${r.status}`);
      return r.status === 204 ? null : r.json();
    };
    const phone = await post("/sessions", { login: "alice", password: "xin-demo-pass", device: { name: "Alice's phone", kind: "phone", os: "Android", app_version: "0.1.0" } });
    const ticket = (await desktop.attr("login-qr", "data-url")).split("/").pop();
    await post(`/login-tickets/${ticket}/scan`, {}, phone.access_token);
    await post(`/login-tickets/${ticket}/confirm`, { code: await desktop.attr("login-code", "data-code") }, phone.access_token);
    await desktop.find("main-window");
    main = await desktop.driver.getWindowHandle();
    const before = (await wallet()).balance_fen;

    // Mini Programs: the demo pinned Summit Coffee for Alice.
    await (await desktop.find("rail-miniprograms")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="mini-program-row"][data-name="Summit Coffee"]'))).length === 1, 20_000, "Summit Coffee is listed");
    await desktop.find("mini-program-card");
    await desktop.screenshot("90-mini-programs");
    await (await desktop.find("open-mini-program")).click();

    // Its own window.
    await desktop.driver.wait(async () => (await desktop.driver.getAllWindowHandles()).length === 2, 20_000, "the mini-program's window opens");
    sandbox = (await desktop.driver.getAllWindowHandles()).find((h) => h !== main);
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
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="mini-program-payment"]'))).length === 0, 20_000, "the payment dialog closes");

    // Back in the mini-program: paid, as the shop's backend sees it.
    await desktop.driver.switchTo().window(sandbox);
    await desktop.driver.wait(async () => /Paid ¥56\.00/.test(await (await desktop.driver.findElement(By.id("order-state"))).getText()), 20_000, "the order is paid");
    await desktop.screenshot("93-mini-program-paid");
    await desktop.driver.switchTo().window(main);
    assert.equal((await wallet()).balance_fen, before - 5_600, "charged once, the order's amount");
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
    // Its storage holds its session; the bridge answers for this mini-program only.
    const keys = await inPage("return await xin.storage.keys();");
    assert.deepEqual(keys, ["session"]);
    await desktop.driver.switchTo().window(main);
  });
});
