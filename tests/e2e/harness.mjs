// The real parts for end-to-end tests: xin-server on a free loopback port, the desktop app
// through tauri-driver + WebKitWebDriver, the phone companion in Debian's Chromium.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, openSync, writeFileSync, readdirSync, readFileSync, statSync, mkdirSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { chromium } from "playwright-core";
import { Builder, By, Capabilities, until } from "selenium-webdriver";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run the end-to-end tests through \`cargo xtask test\``);
  return v;
};
export const OUT = process.env.XIN_E2E_OUT ?? join(process.cwd(), "out");
mkdirSync(OUT, { recursive: true });

// Every test file runs in its own process: what it made under the system's temp folder goes
// when it ends (a desktop restarted on the same data folder still finds it until then).
const madeDirs = [];
process.on("exit", () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system's temp folder, removed when the test file's process ends. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

function stopProcess(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      resolve();
    }, 5000);
    child.once("exit", () => { clearTimeout(t); resolve(); });
    try { process.kill(-child.pid, "SIGTERM"); } catch { resolve(); }
  });
}

/** A real xin-server with its own SQLite store. */
export async function startServer(extraArgs = []) {
  const port = await freePort();
  const dataDir = tempDir("xin-server-");
  const child = spawn(env("XIN_SERVER_BIN"), [
    "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--companion-dir", env("XIN_COMPANION_DIR"), ...extraArgs,
  ], { detached: true, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: "warn" } });
  const url = `http://127.0.0.1:${port}`;
  await waitFor("xin-server", async () => (await fetch(`${url}/api/v1/health`)).ok);
  return { url, stop: () => stopProcess(child) };
}

/** A link between the clients and the server that can be made slow, like a phone's or a café's
 *  uplink: bytes from the clients pass at `rate` bytes a second (null: as fast as they come). */
export async function startLink(serverUrl) {
  const target = new URL(serverUrl);
  let rate = null;
  const sockets = new Set();
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const close = () => (client.destroy(), upstream.destroy());
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s)).on("error", close);
    }
    upstream.pipe(client);
    client.on("data", (chunk) => {
      upstream.write(chunk);
      if (rate) {
        client.pause();
        setTimeout(() => client.resume(), (chunk.length / rate) * 1000);
      }
    });
    client.on("end", () => upstream.end());
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    slow(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}

/** The real desktop binary in a real WebView, driven through tauri-driver. A null `serverUrl`
 *  names no server (a first run); `args` are the command line's (a menu entry's `%u` link). */
export async function startDesktop(serverUrl, extraEnv = {}, args = []) {
  const port = await freePort();
  // Two quick asks for a free port can be handed the same one.
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const dataDir = tempDir("xin-desktop-");
  // XIN_E2E_DESKTOP_LOG=FILE keeps the app's own output, for whoever debugs a failure.
  const log = process.env.XIN_E2E_DESKTOP_LOG ? openSync(process.env.XIN_E2E_DESKTOP_LOG, "a") : "ignore";
  const driverProc = spawn(env("TAURI_DRIVER"), ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...withoutServer(process.env), ...(serverUrl ? { XIN_SERVER: serverUrl } : {}), XIN_DATA_DIR: dataDir, XIN_DOWNLOAD_DIR: join(dataDir, "Downloads"), XIN_MOCK_MICROPHONE: "1", XIN_EMULATE_DROPS: "1", RUST_LOG: "warn", ...extraEnv },
  });
  // Probe by connecting: probing by binding the port could take it from under the driver just
  // as it starts, and then it never comes up.
  await waitFor("tauri-driver", () => new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  }));
  const caps = new Capabilities();
  caps.set("tauri:options", { application: env("XIN_DESKTOP_BIN"), args });
  caps.setBrowserName("wry");
  const driver = await new Builder().withCapabilities(caps).usingServer(`http://127.0.0.1:${port}/`).build();
  return {
    driver,
    dataDir,
    async find(testId, ms = 20_000) {
      try {
        return await driver.wait(until.elementLocated(By.css(`[data-testid="${testId}"]`)), ms, `desktop: ${testId} did not appear`);
      } catch (e) {
        // Keep what the window showed, for whoever reads the failure.
        await this.screenshot(`failed-${testId}`).catch(() => {});
        throw e;
      }
    },
    /** Calls one of the app's commands, as its UI would. */
    async invoke(command, args) {
      const result = await driver.executeAsyncScript(
        "const done = arguments[arguments.length - 1];" +
          "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v }), (e) => done({ err: e }));",
        command,
        args,
      );
      if (result.err) throw new Error(`${command}: ${JSON.stringify(result.err)}`);
      return result.ok;
    },
    /** Starts the app again with `link`, as a browser does for an `xin://` link: the second
     *  launch hands it to this one and ends at once (it answers the second launch's exit code). */
    async openLink(link) {
      const again = spawn(env("XIN_DESKTOP_BIN"), [link], {
        stdio: "ignore",
        env: { ...withoutServer(process.env), XIN_DATA_DIR: dataDir, RUST_LOG: "warn", ...extraEnv },
      });
      const killer = setTimeout(() => again.kill("SIGKILL"), 20_000);
      const code = await new Promise((resolve) => again.once("exit", (c, signal) => resolve(signal ?? c)));
      clearTimeout(killer);
      return code;
    },
    async attr(testId, name) {
      return (await this.find(testId)).getAttribute(name);
    },
    async screenshot(name) {
      const png = Buffer.from(await driver.takeScreenshot(), "base64");
      writeFileSync(join(OUT, `${name}.png`), png);
      return png;
    },
    async stop() {
      try { await driver.quit(); } catch { /* already gone */ }
      await stopProcess(driverProc);
    },
  };
}

function withoutServer(vars) {
  const { XIN_SERVER: _, ...rest } = vars;
  return rest;
}

/** An account made through the API, as any client makes one: `{ id, access }`. */
export async function signUpByApi(serverUrl, handle, phone) {
  const r = await fetch(`${serverUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      handle, phone, display_name: handle[0].toUpperCase() + handle.slice(1), password: "correct horse",
      device: { name: "Pixel", kind: "phone", os: "Android", app_version: "0.1.0" },
    }),
  });
  if (!r.ok) throw new Error(`sign-up ${handle}: ${r.status} ${await r.text()}`);
  const s = await r.json();
  return { id: s.user.id, access: s.access_token };
}

/** Clicks a window's close button, as a user does: the window manager's request to close it. */
export function closeWindowTitled(title) {
  execFileSync("/usr/bin/python3", [fileURLToPath(new URL("close_window.py", import.meta.url)), title], { stdio: "inherit" });
}

/** Signs the desktop in as the phone's account: the phone opens the QR's link and taps the
 *  number the desktop shows. */
export async function signInDesktop(desktop, phonePage) {
  const url = await desktop.attr("login-qr", "data-url");
  await phonePage.goto(url);
  await phonePage.getByTestId("confirm-code").first().waitFor();
  const code = await desktop.attr("login-code", "data-code");
  await phonePage.locator(`[data-testid="confirm-code"][data-code="${code}"]`).click();
  await desktop.find("main-window");
}

/** Decodes the one QR code in a PNG (a screenshot of the real window). */
export function decodeQr(png) {
  const img = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  if (!code) throw new Error("no QR code found in the screenshot");
  return code.data;
}

/**
 * A Y4M video (what Chromium's fake camera plays) showing `png` on white, as a phone camera
 * pointed at the screen would see it: centred on the QR code when the picture is larger than
 * the camera's frame (a person aims at the code, not at the window's corner).
 */
export function writeY4m(png, path) {
  const W = 640, H = 480;
  const img = PNG.sync.read(png);
  const qr = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  const centre = qr
    ? [(qr.location.topLeftCorner.x + qr.location.bottomRightCorner.x) / 2, (qr.location.topLeftCorner.y + qr.location.bottomRightCorner.y) / 2]
    : [img.width / 2, img.height / 2];
  // The part of the picture in frame (sx, sy) and where it lands (ox, oy).
  const sx = Math.max(0, Math.min(img.width - W, Math.round(centre[0] - W / 2)));
  const sy = Math.max(0, Math.min(img.height - H, Math.round(centre[1] - H / 2)));
  const ox = Math.max(0, Math.floor((W - img.width) / 2));
  const oy = Math.max(0, Math.floor((H - img.height) / 2));
  const y = Buffer.alloc(W * H, 235);
  for (let row = 0; row < Math.min(img.height, H); row++) {
    for (let col = 0; col < Math.min(img.width, W); col++) {
      const i = ((sy + row) * img.width + sx + col) * 4;
      const lum = 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
      y[(oy + row) * W + ox + col] = Math.round(16 + (lum * 219) / 255);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]));
}

/** Debian's Chromium with `args`, one page in a context with `options`. */
async function chromiumPage(args, options, label) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps", ...args],
  });
  const page = await (await browser.newContext(options)).newPage();
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error(`${label} page error: ${e.stack}`));
  return {
    page,
    async screenshot(name) {
      await page.screenshot({ path: join(OUT, `${name}.png`) });
    },
    stop: () => browser.close(),
  };
}

/**
 * Debian's Chromium, phone-sized, optionally with a fake camera playing `video` and a fake
 * microphone playing `audio` (a WAV file), and any other Chromium switches.
 */
export async function startPhone(video, audio, locale, extraArgs = []) {
  const args = [...extraArgs];
  if (video || audio) args.push("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
  if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
  if (audio) args.push(`--use-file-for-fake-audio-capture=${audio}`);
  return chromiumPage(args, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, ...(locale ? { locale } : {}) }, "phone");
}

/** Debian's Chromium at a desktop's size: a publisher's browser for the console. */
export function startBrowser(locale) {
  return chromiumPage([], { viewport: { width: 1280, height: 860 }, ...(locale ? { locale } : {}) }, "browser");
}

/** Signs up on the companion and lands on the Chats tab. */
export async function phoneSignUp(page, serverUrl, handle, phone) {
  await page.goto(`${serverUrl}/m/`);
  await page.getByTestId("auth-switch").click();
  await page.locator('input[name="name"]').fill(handle[0].toUpperCase() + handle.slice(1));
  await page.locator('input[name="handle"]').fill(handle);
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('input[name="password"]').fill("correct horse");
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("tab-scan").waitFor();
}

/** Signs an existing user in on the companion (the demo's password) and lands on Chats. */
export async function phoneSignIn(page, serverUrl, login) {
  await page.goto(`${serverUrl}/m/`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("xin-demo-pass");
  await page.getByTestId("auth-submit").click();
  await page.getByTestId("tab-wallet").waitFor();
}

/** Secrets the desktop filed in the Secret Service, by keyring user name. */
export function keyringSecrets() {
  // secret-tool prints attributes on stderr and the rest on stdout: merge them in order.
  let out = "";
  try {
    out = execFileSync("sh", ["-c", "secret-tool search --all --unlock service xin 2>&1"], { encoding: "utf8" });
  } catch (e) {
    out = String(e.stdout ?? "");
  }
  const secrets = {};
  for (const block of out.split(/\n(?=\[)/)) {
    const user = /attribute\.username = (.*)/.exec(block)?.[1];
    const secret = /secret = (.*)/.exec(block)?.[1];
    if (user && secret) secrets[user.trim()] = secret.trim();
  }
  return secrets;
}

/** Every file under `dir`, with its bytes. */
export function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push([p, readFileSync(p)]);
  }
  return out;
}

export { waitFor, sleep, By, until };

/** A mono 16-bit 48 kHz WAV of `seconds`, each sample `wave(t)` in -1..1 (a fake microphone's input). */
export function wav(seconds, wave) {
  const rate = 48_000;
  const n = rate * seconds;
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(wave(i / rate) * 32767), i * 2);
  const head = Buffer.alloc(44);
  head.write("RIFF", 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write("WAVEfmt ", 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write("data", 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}
