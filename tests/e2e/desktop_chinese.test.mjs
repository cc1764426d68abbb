// Xin in Chinese: the desktop started on a system whose locale is zh_CN speaks 简体中文 from the
// login window on, and Settings › Language switches it (and back); the phone companion and the
// console follow a Chinese browser.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { By, phoneSignIn, startBrowser, startDesktop, startPhone, startServer, waitFor, tempDir } from "./harness.mjs";

describe("the desktop in Chinese", () => {
  let server, desktop;
  const post = async (path, body, token) => {
    const r = await fetch(`${server.url}/api/v1${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body ?? {}) });
    assert.ok(r.ok, `${path}: ${r.status}`);
    return r.status === 204 ? null : r.json();
  };

  before(async () => {
    server = await startServer();
    desktop = await startDesktop(server.url, { LANGUAGE: "zh_CN", LANG: "zh_CN.UTF-8" });
  });

  after(async () => {
    await desktop?.stop();
    await server?.stop();
  });

  test("the login window and the main window are in Chinese; Settings switches to English and back", async () => {
    await desktop.find("login-qr");
    const hint = async () => desktop.driver.executeScript("return document.querySelector('.login-hint')?.textContent ?? ''");
    await waitFor("the Chinese login hint", async () => (await hint()) === "请使用手机上的 Xin 扫码登录");
    await desktop.screenshot("80-desktop-login-zh");

    const phone = await post("/accounts", { handle: "lihua", phone: "13900000001", display_name: "李华", password: "correct horse", device: { name: "李华的手机", kind: "phone", os: "Android", app_version: "0.1.0" } });
    const ticket = (await desktop.attr("login-qr", "data-url")).split("/").pop();
    await post(`/login-tickets/${ticket}/scan`, {}, phone.access_token);
    await post(`/login-tickets/${ticket}/confirm`, { code: await desktop.attr("login-code", "data-code") }, phone.access_token);
    await desktop.find("main-window");
    const title = async (id) => (await desktop.find(`rail-${id}`)).getAttribute("title");
    assert.equal(await title("chats"), "聊天");
    assert.equal(await title("miniprograms"), "小程序");
    await (await desktop.find("rail-files")).click();
    const rowTitles = () => desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=chat-row] .chat-title')].map((e) => e.textContent)");
    await desktop.driver.wait(async () => (await rowTitles()).includes("文件传输助手"), 20_000, "File Transfer in the chat list, in Chinese");
    await desktop.screenshot("81-desktop-main-zh");

    // What the Rust side words follows the language too: a file's line in the chat list.
    const dir = tempDir("xin-zh-");
    const file = join(dir, "计划.txt");
    writeFileSync(file, "周六九点，带上绳子。");
    await desktop.invoke("emulate_drop", { paths: [file] });
    const preview = () => desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=chat-row]')].map((e) => e.dataset.preview)");
    await desktop.driver.wait(async () => (await preview()).includes("[文件] 计划.txt"), 30_000, "the file's preview in Chinese");

    // Settings › Language › English, then back to the system's (Chinese).
    await (await desktop.find("rail-settings")).click();
    const select = await desktop.find("setting-language");
    await (await select.findElement(By.css('option[value="en"]'))).click();
    await waitFor("English", async () => (await title("chats")) === "Chats");
    await desktop.screenshot("82-desktop-settings-en");
    await (await desktop.find("rail-chats")).click();
    await waitFor("the preview reworded in English", async () => (await preview()).includes("[File] 计划.txt"));
    await (await desktop.find("rail-settings")).click();
    await (await (await desktop.find("setting-language")).findElement(By.css('option[value="system"]'))).click();
    await waitFor("Chinese again", async () => (await title("chats")) === "聊天");
    await (await desktop.find("rail-chats")).click();
    await waitFor("the preview in Chinese again", async () => (await preview()).includes("[文件] 计划.txt"));
    await desktop.screenshot("85-desktop-chat-list-zh");
    assert.equal(await desktop.driver.executeScript("return document.documentElement.lang"), "zh-CN");
  });

  test("the phone companion and the console follow a Chinese browser", async () => {
    const phone = await startPhone(undefined, undefined, "zh-CN");
    try {
      const page = phone.page;
      await page.goto(`${server.url}/m/`);
      assert.equal(await page.locator(".auth-title").innerText(), "登录 Xin");
      // The server words a broken rule in the reader's language.
      await page.getByTestId("auth-switch").click();
      await page.locator('input[name="name"]').fill("小明");
      await page.locator('input[name="handle"]').fill("1x");
      await page.locator('input[name="phone"]').fill("13900000002");
      await page.locator('input[name="password"]').fill("correct horse");
      await page.getByTestId("auth-submit").click();
      assert.equal(await page.getByRole("alert").innerText(), "handle：3–32 个字母、数字或 _，须以字母开头");
      await phone.screenshot("86-phone-signup-rule-zh");
      await page.getByTestId("auth-switch").click();
      await page.locator('input[name="login"]').fill("lihua");
      await page.locator('input[name="password"]').fill("correct horse");
      await page.getByTestId("auth-submit").click();
      await page.getByTestId("tab-wallet").waitFor();
      assert.match(await page.locator(".tabbar").innerText(), /聊天[\s\S]*通讯录[\s\S]*朋友圈[\s\S]*扫一扫[\s\S]*钱包[\s\S]*我/);
      await page.getByTestId("tab-contacts").click();
      await page.getByTestId("phone-mini-programs-entry").waitFor();
      await phone.screenshot("83-phone-contacts-zh");
    } finally {
      await phone.stop();
    }
    const browser = await startBrowser("zh-CN");
    try {
      await browser.page.goto(`${server.url}/console/`);
      await browser.page.getByTestId("console-qr").waitFor();
      assert.equal(await browser.page.locator(".console-signin h1").innerText(), "Xin 公众平台");
      await browser.screenshot("84-console-signin-zh");
    } finally {
      await browser.stop();
    }
  });
});
