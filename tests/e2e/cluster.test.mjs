// Xin as a service of many machines: two server nodes on one PostgreSQL, joined by NATS, their
// files in S3 (SeaweedFS), behind haproxy — started by `cargo xtask test` as `cargo xtask
// cluster` starts them (xtask/src/cluster.rs). The real desktop app reaches the service through
// haproxy, which holds node b back at first, so the desktop waits on node a; the phone companion
// talks to node b. A QR login scanned through node b signs in the desktop waiting on node a, a
// photo the phone sends through node b reaches the desktop on node a through the bucket, and
// when node a dies the desktop carries on through node b, missing nothing.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import { By, phoneSignUp, startDesktop, startPhone, tempDir, waitFor } from "./harness.mjs";

const CLUSTER = process.env.XIN_E2E_CLUSTER;
const NODES = JSON.parse(process.env.XIN_E2E_CLUSTER_NODES ?? "[]");
const node = (name) => NODES.find((n) => n.name === name);

/** One command on haproxy's admin socket; answers what it said. */
function haproxy(command) {
  return new Promise((resolve, reject) => {
    const socket = connect(process.env.XIN_E2E_CLUSTER_ADMIN);
    let said = "";
    socket.on("data", (d) => (said += d)).on("end", () => resolve(said)).on("error", reject);
    socket.end(`${command}\n`);
  });
}

/** Whether haproxy sends traffic to `server` of `backend`: `show stat` is CSV, status in column 18. */
async function isUp(backend, server) {
  const rows = (await haproxy("show stat")).split("\n").map((l) => l.split(","));
  return rows.some((r) => r[0] === backend && r[1] === server && r[17] === "UP");
}

function photoPng(w, h) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (w * y + x) << 2;
      png.data[i] = (x * 255) / w;
      png.data[i + 1] = (y * 255) / h;
      png.data[i + 2] = 160;
      png.data[i + 3] = 255;
    }
  return PNG.sync.write(png);
}

describe("Xin on two nodes behind haproxy", () => {
  let desktop, phone;
  const dir = tempDir("xin-e2e-cluster-");

  before(async () => {
    assert.ok(CLUSTER, "the cluster is started by cargo xtask test (--e2e cluster)");
    desktop = await startDesktop(CLUSTER);
    phone = await startPhone();
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
  });

  test("a QR login scanned through node b signs in the desktop waiting on node a, and the phone's photo arrives through the bucket", async () => {
    const b = node("b").url;
    await phoneSignUp(phone.page, b, "alice", "13800000051");
    const url = await desktop.attr("login-qr", "data-url");
    assert.ok(url.startsWith(`${CLUSTER}/m/l/`), `QR codes carry the balancer's address, not a node's: ${url}`);
    await phone.page.goto(url.replace(CLUSTER, b));
    await phone.page.getByTestId("confirm-code").first().waitFor();
    const code = await desktop.attr("login-code", "data-code");
    await phone.page.locator(`[data-testid="confirm-code"][data-code="${code}"]`).click();
    await desktop.find("main-window");

    const photo = join(dir, "summit.png");
    writeFileSync(photo, photoPng(900, 600));
    await phone.page.goto(`${b}/m/`);
    await phone.page.getByTestId("phone-file-transfer").click();
    await phone.page.getByTestId("phone-file-input").setInputFiles(photo);
    await phone.page.getByTestId("phone-photo").waitFor({ timeout: 20_000 });
    await (await desktop.find("rail-files")).click();
    const img = await desktop.find("photo").then((p) => p.findElement(By.css("img")));
    await desktop.driver.wait(
      async () => (await desktop.driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth", img)) > 0,
      20_000,
      "the thumbnail arrives (from the bucket, by a presigned URL)",
    );
    await desktop.screenshot("60-desktop-cluster-photo");
  });

  test("when the node holding the desktop dies, the desktop carries on through the other and misses nothing", async () => {
    // Until now haproxy held node b back, so the desktop's socket is on node a.
    await haproxy("enable server nodes/b");
    await haproxy("enable server uploads/b");
    await waitFor("haproxy sends traffic to node b", () => isUp("nodes", "b"));
    process.kill(node("a").pid, "SIGKILL");

    const text = "Sent while node a was down";
    await phone.page.getByTestId("phone-composer").fill(text);
    await phone.page.getByTestId("phone-send").click();
    await phone.page.locator(`[data-testid="phone-message"][data-text="${text}"]`).waitFor({ timeout: 20_000 });
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css(`[data-testid="message"][data-text="${text}"]`))).length === 1,
      30_000,
      "the desktop reconnects through node b and gets the message",
    );
    await waitFor("haproxy's health check takes node a out", async () => !(await isUp("nodes", "a")));
    await desktop.screenshot("61-desktop-cluster-after-failover");
  });
});
