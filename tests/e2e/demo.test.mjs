// `cargo xtask run --demo`'s world, as a newcomer sees it: Alice signs the desktop in and finds
// chats with photos and files waiting.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { By, startDesktop, startServer, waitFor } from "./harness.mjs";

describe("the demo world", () => {
  let server, desktop;

  before(async () => {
    server = await startServer();
    execFileSync(process.env.XIN_DEMO_BIN, ["--server", server.url], { stdio: "inherit" });
    desktop = await startDesktop(server.url);
  });

  after(async () => {
    await desktop?.stop();
    await server?.stop();
  });

  test("Alice's desktop opens on chats with photos and a file", async () => {
    // Alice's phone: signed in with the demo password, it scans the QR and confirms.
    const api = `${server.url}/api/v1`;
    const post = async (path, body, token) => {
      const r = await fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body ?? {}) });
      assert.ok(r.ok, `${path}: ${r.status}`);
      return r.status === 204 ? null : r.json();
    };
    const phone = await post("/sessions", { login: "alice", password: "xin-demo-pass", device: { name: "Alice's phone", kind: "phone", os: "Android", app_version: "0.1.0" } });
    const ticket = (await desktop.attr("login-qr", "data-url")).split("/").pop();
    await post(`/login-tickets/${ticket}/scan`, {}, phone.access_token);
    const code = await desktop.attr("login-code", "data-code");
    await post(`/login-tickets/${ticket}/confirm`, { code }, phone.access_token);
    await desktop.find("main-window");

    const titles = async () => Promise.all((await desktop.driver.findElements(By.css('[data-testid="chat-row"]'))).map((r) => r.getAttribute("data-title")));
    await waitFor("the seeded chats", async () => (await titles()).length === 3);
    assert.deepEqual([...(await titles())].sort(), ["Bob", "File Transfer", "Weekend climbers"]);

    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    await desktop.find("conversation");
    await desktop.driver.wait(
      async () => {
        const loaded = await desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=photo] img')].filter((i) => i.complete && i.naturalWidth > 0).length");
        return loaded === 2;
      },
      20_000,
      "both of Bob's photos load",
    );
    await desktop.find("file-card");
    assert.equal(await desktop.attr("file-card", "data-name"), "Climbing trip plan.pdf");
    await desktop.screenshot("40-demo-chat-with-bob");
    // Bob's voice message: a red dot until played; it plays in the WebView.
    const voice = await desktop.find("voice");
    assert.equal((await voice.findElements(By.css(".unplayed"))).length, 1, "unplayed dot");
    await voice.click();
    await desktop.driver.wait(
      async () => desktop.driver.executeScript("const a = document.querySelector('[data-testid=voice] audio'); return a && a.currentTime > 0.3 && !a.error"),
      20_000,
      "Bob's voice message plays",
    );
    assert.equal((await voice.findElements(By.css(".unplayed"))).length, 0, "played: the dot is gone");
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Weekend climbers"]'))).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="photo"] img'))).length === 1, 20_000, "Carol's photo");
    await desktop.screenshot("41-demo-group");
  });

  test("Alice accepts Bob's transfer in the chat, sees it in her wallet, and sends one back", async () => {
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    const cards = '[data-testid="transfer-card"]';
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${cards}[data-state]`))).length === 2, 20_000, "the two seeded transfers");
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="transfer-accept"]'))).length === 1, 20_000, "Bob's is waiting for Alice");
    await desktop.screenshot("44-demo-transfer-waiting");
    await (await desktop.driver.findElement(By.css('[data-testid="transfer-accept"]'))).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${cards}[data-state="accepted"]`))).length === 2, 20_000, "accepted: the card changes");
    await desktop.screenshot("45-demo-transfer-accepted");

    await (await desktop.find("rail-wallet")).click();
    // ¥1 288 topped up, ¥45 sent to Bob, ¥88.88 from Bob.
    await desktop.driver.wait(async () => (await desktop.attr("wallet-balance", "data-fen")) === String(128_800 - 4_500 + 8_888), 20_000, "the balance");
    assert.match(await (await desktop.find("wallet-balance")).getText(), /¥1,331\.88/);
    const kinds = async () => Promise.all((await desktop.driver.findElements(By.css('[data-testid="bill"]'))).map((b) => b.getAttribute("data-kind")));
    await waitFor("three bills", async () => (await kinds()).length === 3);
    assert.deepEqual(await kinds(), ["transfer_in", "transfer_out", "top_up"]);
    await (await desktop.driver.findElement(By.css('[data-testid="bill"]'))).click();
    assert.match(await (await desktop.find("bill-detail")).getText(), /\+¥88\.88[\s\S]*Transfer received/);
    await desktop.screenshot("46-demo-wallet");

    // Back in the chat: ¥5.20 to Bob, with the PIN.
    await (await desktop.find("rail-chats")).click();
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    await (await desktop.find("send-money")).click();
    await (await desktop.find("amount-input")).sendKeys("5.20");
    await (await desktop.find("pin-input")).sendKeys("000000");
    await (await desktop.find("modal-submit")).click();
    await desktop.driver.wait(async () => /Wrong PIN/.test(await (await desktop.find("modal-error")).getText()), 10_000, "a wrong PIN is refused");
    const pin = await desktop.find("pin-input");
    await pin.clear();
    await pin.sendKeys("123456");
    await (await desktop.find("modal-submit")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css(`${cards}[data-state="pending"]`))).length === 1, 20_000, "Alice's transfer card, waiting for Bob");
    assert.match(await (await desktop.driver.findElement(By.css(`${cards}[data-state="pending"]`))).getText(), /¥5\.20[\s\S]*Waiting for them to accept/);
    await desktop.screenshot("47-demo-transfer-sent");
  });

  test("Alice opens the last share of Carol's red envelope, and its split is verified", async () => {
    await (await desktop.find("rail-chats")).click();
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Weekend climbers"]'))).click();
    const card = await desktop.find("red-envelope");
    await desktop.driver.wait(async () => (await card.getAttribute("data-state")) === "open", 20_000, "the envelope is still open");
    await card.click();
    const details = await desktop.find("envelope-details");
    await desktop.driver.wait(async () => (await desktop.attr("red-envelope", "data-state")) === "finished", 20_000, "Alice took the last share");
    const got = Number(await desktop.attr("red-envelope", "data-mine"));
    assert.ok(got >= 1 && got <= 2_000 - 1, `a share of the ¥20: ${got} fen`);
    await desktop.driver.wait(async () => /Verified/.test(await (await desktop.find("envelope-verify")).getText()), 20_000, "the revealed seed proves the split");
    const text = await details.getText();
    assert.match(text, /2\/2 opened/);
    assert.match(text, /Best luck/);
    await desktop.screenshot("48-demo-red-envelope");
    await desktop.driver.actions().sendKeys("\uE00C").perform();
    await (await desktop.driver.findElement(By.xpath("//div[@data-testid='envelope-details']//button[text()='Close']"))).click();

    // Alice sends one back: lucky, ¥6.66 in 2 shares.
    await (await desktop.find("send-red-envelope")).click();
    const shares = await desktop.find("shares-input");
    await shares.clear();
    await shares.sendKeys("2");
    await (await desktop.find("amount-input")).sendKeys("6.66");
    await (await desktop.find("pin-input")).sendKeys("123456");
    await desktop.screenshot("49-demo-red-envelope-dialog");
    await (await desktop.find("modal-submit")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="red-envelope"][data-state="open"]'))).length === 1, 20_000, "Alice's envelope in the group");
    const mine = await desktop.driver.findElement(By.css('[data-testid="red-envelope"][data-state="open"]'));
    await mine.click();
    await desktop.driver.wait(async () => Number(await mine.getAttribute("data-mine")) > 0, 20_000, "in a group, the sender may open one too");
    await desktop.screenshot("50-demo-red-envelope-sent");
  });
});
