// Files between the phone and the computer through "File Transfer", and in a chat: the real
// desktop app, the phone companion in Chromium, a real server storing real blobs.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import { By, phoneSignUp, sleep, startDesktop, startLink, startPhone, startServer, waitFor, tempDir, wav } from "./harness.mjs";

const sha256 = (b) => createHash("sha256").update(b).digest("hex");

/** A photo worth looking at: a sunset gradient with a sun. */
function photoPng(w, h) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const sun = (x - w * 0.65) ** 2 + (y - h * 0.55) ** 2 < (h * 0.18) ** 2;
      const t = y / h;
      png.data[i] = sun ? 255 : Math.round(255 - 60 * t);
      png.data[i + 1] = sun ? 220 : Math.round(140 - 80 * t);
      png.data[i + 2] = sun ? 120 : Math.round(90 + 120 * t);
      png.data[i + 3] = 255;
    }
  return PNG.sync.write(png);
}

/** A WAV of a rising two-tone chirp, standing in for a voice at the phone's microphone. */
const voiceWav = (seconds) => wav(seconds, (t) => 0.4 * Math.sin(2 * Math.PI * (220 + 80 * t) * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)));

describe("files between the phone and the computer", () => {
  // The desktop reaches the server through a link the last test slows down.
  let server, link, desktop, phone;
  const dir = tempDir("xin-e2e-files-");

  before(async () => {
    server = await startServer();
    link = await startLink(server.url);
    desktop = await startDesktop(link.url);
    const wav = join(dir, "voice.wav");
    writeFileSync(wav, voiceWav(4));
    phone = await startPhone(undefined, wav);
    await phoneSignUp(phone.page, server.url, "alice", "13800000031");
    const url = await desktop.attr("login-qr", "data-url");
    await phone.page.goto(url);
    await phone.page.getByTestId("confirm-code").first().waitFor();
    const code = await desktop.attr("login-code", "data-code");
    await phone.page.locator(`[data-testid="confirm-code"][data-code="${code}"]`).click();
    await desktop.find("main-window");
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
    await link?.stop();
    await server?.stop();
  });

  test("a photo sent from the phone to File Transfer shows on the desktop", async () => {
    const photo = join(dir, "sunset.png");
    writeFileSync(photo, photoPng(1200, 800));
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("phone-file-transfer").click();
    await phone.page.getByTestId("phone-file-input").setInputFiles(photo);
    await phone.page.getByTestId("phone-photo").waitFor({ timeout: 20_000 });
    await phone.screenshot("30-phone-file-transfer");

    await (await desktop.find("rail-files")).click();
    await desktop.find("conversation");
    const img = await desktop.find("photo").then((p) => p.findElement(By.css("img")));
    await desktop.driver.wait(async () => (await desktop.driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth", img)) > 0, 20_000, "the thumbnail loads through xin-media://");
    const natural = await desktop.driver.executeScript("return [arguments[0].naturalWidth, arguments[0].naturalHeight]", img);
    assert.equal(natural[0], 360, "a 360 px thumbnail, not the whole photo");
    assert.equal(natural[1], 240);
    await desktop.screenshot("31-desktop-file-transfer-photo");

    // Click opens the viewer with the full photo; Esc closes it.
    await img.click();
    const full = await desktop.find("image-viewer").then((v) => v.findElement(By.css("img")));
    await desktop.driver.wait(async () => (await desktop.driver.executeScript("return arguments[0].naturalWidth", full)) === 1200, 20_000, "the full photo loads");
    await desktop.screenshot("32-desktop-image-viewer");
    // Zoom in with the button, and Save puts a copy in the download folder.
    const viewer = await desktop.find("image-viewer");
    await (await viewer.findElement(By.css('[aria-label="Zoom in"]'))).click();
    await desktop.driver.wait(async () => (await viewer.getText()).includes("125%"), 5000, "zoomed to 125 %");
    await (await viewer.findElement(By.xpath(".//button[text()='Save']"))).click();
    await desktop.driver.wait(async () => (await viewer.getText()).includes("Saved to"), 10_000, "saved");
    const saved = readdirSync(join(desktop.dataDir, "Downloads")).filter((n) => n.endsWith(".jpg"));
    assert.equal(saved.length, 1, "one copy of the photo saved");
    await desktop.driver.actions().sendKeys("\uE00C").perform();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="image-viewer"]'))).length === 0, 5000, "Esc closes the viewer");
  });

  test("a file sent from the desktop downloads byte-equal on the phone, and back", async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const file = join(dir, "Quarterly report.pdf");
    writeFileSync(file, bytes);
    // Me → Send to computer opens File Transfer on the phone too.
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("tab-me").click();
    await phone.page.getByTestId("me-send-to-computer").click();
    await phone.page.getByTestId("phone-photo").waitFor({ timeout: 10_000 });
    assert.match(await phone.page.locator("header.bar").innerText(), /File Transfer/);

    // The WebView cannot name a file to send, only the shell knows what the OS dropped: script
    // that got into the page could not send ~/.ssh away.
    const conv = await desktop.attr("conversation", "data-id");
    await assert.rejects(desktop.invoke("send_files", { conversation: conv, paths: [file] }), /not found|not allowed/i);
    await assert.rejects(desktop.invoke("send_dropped", { conversation: conv }), /nothing_dropped/);
    // The OS drops the file on the chat (the shell emulates the drop: WebDriver cannot drag).
    await desktop.invoke("emulate_drop", { paths: [file] });
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-state="sent"] [data-testid="file-card"][data-name="Quarterly report.pdf"]'))).length === 1,
      30_000,
      "the file is sent",
    );
    await desktop.screenshot("33-desktop-file-sent");

    const report = phone.page.locator('[data-testid="phone-file"][data-name="Quarterly report.pdf"]');
    await report.waitFor({ timeout: 20_000 });
    await phone.screenshot("34-phone-file-received");
    const [download] = await Promise.all([phone.page.waitForEvent("download"), report.click()]);
    assert.equal(download.suggestedFilename(), "Quarterly report.pdf");
    assert.equal(sha256(readFileSync(await download.path())), sha256(bytes), "byte-equal on the phone");

    // The phone sends a file; the desktop saves it to the download folder.
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "Pick up the film at 5.\n".repeat(1000));
    await phone.page.getByTestId("phone-file-input").setInputFiles(notes);
    const card = '[data-testid="file-card"][data-name="notes.txt"]';
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${card} [data-testid="file-download"]`))).length === 1, 20_000, "the phone's file arrives");
    await (await desktop.driver.findElement(By.css(`${card} [data-testid="file-download"]`))).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${card} .file-saved`))).length === 1, 20_000, "saved");
    const downloads = join(desktop.dataDir, "Downloads");
    assert.deepEqual(readdirSync(downloads).filter((n) => !n.endsWith(".jpg")), ["notes.txt"]);
    assert.equal(sha256(readFileSync(join(downloads, "notes.txt"))), sha256(readFileSync(notes)));
    await desktop.screenshot("35-desktop-file-saved");

    await (await desktop.find("rail-transfers")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="transfer-row"]'))).length >= 2, 10_000, "both transfers listed");
    await desktop.screenshot("36-desktop-transfers");
  });

  test("a voice message held to record on the phone plays on the desktop", async () => {
    await phone.page.getByTestId("phone-voice-mode").click();
    const hold = phone.page.getByTestId("phone-hold-to-talk");
    await hold.hover();
    await phone.page.mouse.down();
    await phone.page.getByText("Release to send").waitFor();
    await phone.page.waitForTimeout(2500);
    await phone.page.mouse.up();
    await phone.page.getByTestId("phone-voice").waitFor({ timeout: 20_000 });
    await phone.screenshot("37-phone-voice-sent");

    await (await desktop.find("rail-files")).click();
    const voice = await desktop.find("voice");
    const length = await voice.getText();
    assert.match(length, /[23]"/, `a 2–3 second voice message, shown as ${length}`);
    assert.equal((await voice.findElements(By.css(".unplayed"))).length, 0, "one's own voice message has no unplayed dot");
    await desktop.screenshot("38-desktop-voice-received");
    await voice.click();
    await desktop.driver.wait(
      async () => desktop.driver.executeScript("const a = document.querySelector('[data-testid=voice] audio'); return a && a.currentTime > 0.3 && !a.error"),
      20_000,
      "the voice message plays in the desktop's WebView",
    );
  });

  test("a voice message recorded on the desktop plays on the phone", async () => {
    await (await desktop.find("record-voice")).click();
    await desktop.find("recording");
    await new Promise((r) => setTimeout(r, 2500));
    await desktop.screenshot("39a-desktop-recording");
    await (await desktop.find("record-voice")).click();
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-state="sent"] [data-testid="voice"]'))).length === 2,
      20_000,
      "the recording is sent",
    );
    const voices = phone.page.getByTestId("phone-voice");
    await waitFor("the desktop's voice message on the phone", async () => (await voices.count()) === 2);
    await voices.nth(1).click();
    await waitFor("it plays on the phone", async () => phone.page.evaluate(() => {
      const a = document.querySelectorAll("[data-testid=phone-voice] audio")[1];
      return a && a.currentTime > 0.3 && !a.error;
    }));
    const opus = await phone.page.evaluate(async () => {
      const a = document.querySelectorAll("[data-testid=phone-voice] audio")[1];
      const text = new TextDecoder("latin1").decode(new Uint8Array(await (await fetch(a.src)).arrayBuffer()));
      return ["dOps", "OpusHead", "A_OPUS"].some((m) => text.includes(m));
    });
    assert.ok(opus, "the desktop records Opus");
    await phone.screenshot("39b-phone-voice-from-desktop");
  });

  test("a pasted picture is sent as a photo, and the viewer steps between the chat's photos", async () => {
    await (await desktop.find("rail-files")).click();
    await desktop.find("conversation");
    const pasted = photoPng(640, 480).toString("base64");
    // What Ctrl+V of a screenshot does: a paste event carrying an image file.
    await desktop.driver.executeScript(
      `const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
       const dt = new DataTransfer();
       dt.items.add(new File([bytes], "Screenshot.png", { type: "image/png" }));
       const box = document.querySelector('[data-testid="composer"]');
       box.focus();
       box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));`,
      pasted,
    );
    const sentPhotos = '[data-testid="message"][data-state="sent"] [data-testid="photo"] img';
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(sentPhotos))).length === 2, 30_000, "the pasted picture is sent as a second photo");
    assert.equal(await desktop.driver.executeScript("return document.querySelector('[data-testid=composer]').value"), "", "nothing pasted into the text box");

    const photos = await desktop.driver.findElements(By.css(sentPhotos));
    await photos[1].click();
    const full = async () => desktop.driver.executeScript("const i = document.querySelector('[data-testid=image-viewer] img'); return i && i.complete ? i.naturalWidth : 0");
    await desktop.driver.wait(async () => (await full()) === 640, 20_000, "the viewer opens on the pasted 640 px picture");
    await desktop.driver.actions().sendKeys("\uE012").perform(); // ←
    await desktop.driver.wait(async () => (await full()) === 1200, 20_000, "← shows the photo before it");
    const prev = await desktop.driver.findElement(By.css('[aria-label="Previous photo"]'));
    assert.equal(await prev.getAttribute("disabled"), "true", "the first photo has no previous");
    await (await desktop.driver.findElement(By.css('[aria-label="Next photo"]'))).click();
    await desktop.driver.wait(async () => (await full()) === 640, 20_000, "› goes back to the next one");
    await desktop.driver.actions().sendKeys("\uE00C").perform();
  });

  test("a video sent from the desktop plays in its player and on the phone", async () => {
    const video = join(dir, "Ridge at dawn.webm");
    writeFileSync(video, readFileSync(new URL("../../crates/xin-demo/assets/video.webm", import.meta.url)));
    const conv = await desktop.attr("conversation", "data-id");
    await desktop.invoke("emulate_drop", { paths: [video] });
    const sent = '[data-testid="message"][data-state="sent"] [data-testid="video"]';
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(sent))).length === 1, 30_000, "the video is sent");
    const bubble = await desktop.driver.findElement(By.css(sent));
    const thumb = await bubble.findElement(By.css("img"));
    await desktop.driver.wait(async () => (await desktop.driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth", thumb)) === 360, 20_000, "its first frame as a 360 px thumbnail");
    assert.match(await bubble.getText(), /0:04/, "its length on the picture");
    await desktop.screenshot("40-desktop-video-sent");

    await bubble.click();
    await desktop.find("video-player");
    await desktop.driver.wait(
      async () => desktop.driver.executeScript("const v = document.querySelector('[data-testid=video-element]'); return v && v.currentTime > 0.5 && !v.error && v.videoWidth === 480"),
      20_000,
      "the video plays in the desktop's WebView",
    );
    await desktop.screenshot("41-desktop-video-playing");
    await desktop.driver.actions().sendKeys("\uE00C").perform();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="video-player"]'))).length === 0, 5000, "Esc closes the player");

    const onPhone = phone.page.getByTestId("phone-video");
    await onPhone.first().waitFor({ timeout: 20_000 });
    await waitFor("it plays on the phone", async () =>
      phone.page.evaluate(() => {
        const v = document.querySelector("[data-testid=phone-video]");
        v.muted = true;
        if (v.paused) v.play().catch(() => {});
        return v.currentTime > 0.5 && !v.error && v.videoWidth === 480;
      }),
    );
    await phone.screenshot("42-phone-video-playing");
  });

  test("a video sent from the phone shows its first frame on the desktop and plays once downloaded", async () => {
    const clip = join(dir, "clip.webm");
    writeFileSync(clip, readFileSync(new URL("../../crates/xin-demo/assets/video.webm", import.meta.url)));
    await phone.page.evaluate(() => document.querySelector("[data-testid=phone-video]")?.pause());
    await phone.page.getByTestId("phone-file-input").setInputFiles(clip);
    await waitFor("the phone sends it as a video", async () => (await phone.page.getByTestId("phone-video").count()) === 2);

    const videos = '[data-testid="message"] [data-testid="video"]';
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(videos))).length === 2, 20_000, "the phone's video arrives");
    const bubble = (await desktop.driver.findElements(By.css(videos)))[1];
    const thumb = await bubble.findElement(By.css("img"));
    await desktop.driver.wait(async () => (await desktop.driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth", thumb)) > 0, 20_000, "the phone's thumbnail shows");
    await bubble.click();
    await desktop.driver.wait(
      async () => desktop.driver.executeScript("const v = document.querySelector('[data-testid=video-element]'); return v && v.currentTime > 0.5 && !v.error"),
      30_000,
      "downloaded, then played",
    );
    const downloads = join(desktop.dataDir, "Downloads");
    assert.ok(readdirSync(downloads).includes("clip.webm"), "saved under its name");
    assert.equal(sha256(readFileSync(join(downloads, "clip.webm"))), sha256(readFileSync(clip)));
    await desktop.screenshot("43-desktop-video-from-phone");
    await desktop.driver.actions().sendKeys("\uE00C").perform();
  });

  test("a large file on a slow link shows progress, speed and time left, pauses, resumes and arrives whole", async () => {
    const bytes = randomBytes(40 * 1024 * 1024);
    const file = join(dir, "Holiday photos.zip");
    writeFileSync(file, bytes);
    await (await desktop.find("rail-files")).click();
    const conv = await desktop.attr("conversation", "data-id");
    link.slow(4 * 1024 * 1024);
    await desktop.invoke("emulate_drop", { paths: [file] });

    const bar = '[data-testid="file-card"][data-name="Holiday photos.zip"] [data-testid="transfer-bar"]';
    const progress = async () => Number(await desktop.driver.findElement(By.css(`${bar} [role=progressbar]`)).getAttribute("aria-valuenow"));
    // What the bar says on its right: speed and time left, or its state.
    const status = async () => desktop.driver.findElement(By.css(`${bar} .transfer-status`)).getAttribute("textContent");
    let seen = "nothing";
    await desktop.driver.wait(
      async () => {
        try {
          seen = `"${await status()}" at ${await progress()} %`;
        } catch {
          return false; // not drawn yet
        }
        return /MB\/s · \d+ s left/.test(seen) && !seen.endsWith(" 0 %");
      },
      30_000,
      () => `the bubble shows how far it is, its speed and the time left (it showed ${seen})`,
    );
    await desktop.screenshot("43b-desktop-upload-in-flight");

    await (await desktop.driver.findElement(By.css(`${bar} [aria-label="Pause"]`))).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElement(By.css(bar)).getAttribute("data-state")) === "paused", 10_000, "paused");
    const paused = await progress();
    assert.ok(paused > 0 && paused < 100, `paused part way (${paused} %)`);
    await sleep(1500);
    assert.equal(await progress(), paused, "a paused transfer stays where it was");
    assert.equal(await status(), "Paused");
    await desktop.screenshot("43c-desktop-upload-paused");

    // The Transfers view lists it as paused, and resumes it as well as the bubble does.
    await (await desktop.find("rail-transfers")).click();
    const row = '[data-testid="transfer-row"][data-name="Holiday photos.zip"]';
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${row} [data-testid="transfer-bar"][data-state="paused"]`))).length === 1, 10_000, "listed as paused");
    await desktop.screenshot("43d-desktop-transfers-paused");
    link.slow(null);
    await (await desktop.driver.findElement(By.css(`${row} [aria-label="Resume"]`))).click();
    await desktop.driver.wait(async () => /Sent/.test(await desktop.driver.findElement(By.css(row)).getAttribute("textContent")), 60_000, "sent, says the Transfers view");
    await (await desktop.find("rail-files")).click();
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-state="sent"] [data-testid="file-card"][data-name="Holiday photos.zip"]'))).length === 1,
      60_000,
      "sent once resumed",
    );
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("phone-file-transfer").click();
    const received = phone.page.locator('[data-testid="phone-file"][data-name="Holiday photos.zip"]');
    await received.waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([phone.page.waitForEvent("download"), received.click()]);
    assert.equal(sha256(readFileSync(await download.path())), sha256(bytes), "the phone gets every byte, once");
  });

  test("the phone shows its progress while a file goes up a slow network, and the computer gets it whole", async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    const file = join(dir, "Scans.pdf");
    writeFileSync(file, bytes);
    await phone.page.goto(`${server.url}/m/`);
    await phone.page.getByTestId("phone-file-transfer").click();
    // Chromium's own network throttling: the phone's uplink at 3 MiB/s.
    const cdp = await phone.page.context().newCDPSession(phone.page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 3 * 1024 * 1024 });
    try {
      await phone.page.getByTestId("phone-file-input").setInputFiles(file);
      const sending = phone.page.getByTestId("phone-sending");
      let seen = [];
      await waitFor("the sending bubble counts up", async () => {
        const text = (await sending.count()) === 1 ? await sending.innerText().catch(() => "") : "";
        const pct = /Scans\.pdf · (\d+)%/.exec(text)?.[1];
        if (pct !== undefined && seen.at(-1) !== Number(pct)) seen.push(Number(pct));
        return seen.some((p) => p > 0 && p < 100);
      });
      await phone.screenshot("34b-phone-file-sending");
      await phone.page.locator('[data-testid="phone-file"][data-name="Scans.pdf"]').waitFor({ timeout: 30_000 });
      assert.equal(await sending.count(), 0, "the sending bubble gives way to the file");
    } finally {
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    }
    const card = '[data-testid="file-card"][data-name="Scans.pdf"]';
    await (await desktop.find("rail-files")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${card} [data-testid="file-download"]`))).length === 1, 20_000, "the phone's file arrives");
    await (await desktop.driver.findElement(By.css(`${card} [data-testid="file-download"]`))).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${card} .file-saved`))).length === 1, 20_000, "saved");
    assert.equal(sha256(readFileSync(join(desktop.dataDir, "Downloads", "Scans.pdf"))), sha256(bytes), "byte-equal on the computer");
  });
});
