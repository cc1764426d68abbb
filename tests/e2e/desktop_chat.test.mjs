// Chatting in real time between the real desktop app and the phone companion in Chromium:
// the desktop signs in by QR, adds a friend, and both sides see each other's messages live.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Key } from "selenium-webdriver";
import { By, decodeQr, phoneSignUp, signInDesktop, startDesktop, startPhone, startServer, waitFor } from "./harness.mjs";

describe("chatting between the desktop and a phone", () => {
  let server, desktop, alicePhone, bobPhone;
  /** How many elements match, counting a node removed mid-query as "not yet" (-1). */
  const count = async (by) => desktop.driver.findElements(by).then((e) => e.length, () => -1);

  before(async () => {
    server = await startServer();
    desktop = await startDesktop(server.url);
    alicePhone = await startPhone();
    bobPhone = await startPhone();
  });

  after(async () => {
    await bobPhone?.stop();
    await alicePhone?.stop();
    await desktop?.stop();
    await server?.stop();
  });

  test("Alice's desktop adds Bob and they chat in real time", async () => {
    await phoneSignUp(alicePhone.page, server.url, "alice", "13800000011");
    await phoneSignUp(bobPhone.page, server.url, "bob", "13800000012");

    // Sign the desktop in: open the QR's link on Alice's phone and tap the matching number.
    await signInDesktop(desktop, alicePhone.page);

    // Contacts → New friends → find Bob by his Xin ID → Add.
    await (await desktop.find("rail-contacts")).click();
    await (await desktop.find("new-friends")).click();
    const query = await desktop.find("add-friend-query");
    await query.sendKeys("bob", Key.ENTER);
    await (await desktop.find("add-friend-send")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[role="status"]'))).length > 0, 10_000);
    await desktop.screenshot("19-desktop-new-friends");

    // Bob accepts on his phone.
    await bobPhone.page.getByTestId("tab-contacts").click();
    await bobPhone.page.getByTestId("phone-accept").waitFor({ timeout: 15_000 });
    await bobPhone.screenshot("19b-phone-contacts");
    await bobPhone.page.getByTestId("phone-accept").click();

    // Alice opens the chat from Bob's profile and writes.
    await (await desktop.find("contact-row")).click();
    await desktop.screenshot("20-desktop-contacts");
    await (await desktop.find("profile-message")).click();
    await desktop.find("conversation");
    await (await desktop.find("composer")).sendKeys("Hello Bob, climbing on Saturday?", Key.ENTER);
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-state="sent"][data-text="Hello Bob, climbing on Saturday?"]'))).length === 1,
      15_000,
      "the message is sent",
    );

    // Bob sees it live and answers.
    await bobPhone.page.getByTestId("tab-chats").click();
    await bobPhone.page.getByTestId("phone-chat-row").first().click({ timeout: 15_000 });
    await bobPhone.page.locator('[data-testid="phone-message"][data-text="Hello Bob, climbing on Saturday?"]').waitFor({ timeout: 15_000 });
    await bobPhone.page.getByTestId("phone-composer").fill("Yes! 9:00 at the gym 🧗");
    await bobPhone.page.getByTestId("phone-send").click();
    await bobPhone.screenshot("21-phone-chat");

    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-text="Yes! 9:00 at the gym 🧗"]'))).length === 1,
      15_000,
      "Bob's answer arrives on the desktop",
    );
    // Some text, an emoji from the picker at the caret, then Enter.
    await (await desktop.find("composer")).sendKeys("see you ");
    await (await desktop.find("emoji-button")).click();
    await desktop.screenshot("22c-desktop-emoji-picker");
    await (await desktop.find("emoji-picker")).findElement(By.css('[aria-label="👍"]')).then((b) => b.click());
    await desktop.driver.wait(async () => (await (await desktop.find("composer")).getAttribute("value")) === "see you 👍", 5000, "the emoji lands at the caret");
    await (await desktop.find("composer")).sendKeys(Key.ENTER);
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-state="sent"][data-text="see you 👍"]'))).length === 1,
      15_000,
      "the emoji message is sent",
    );
    await bobPhone.page.locator('[data-testid="phone-message"][data-text="see you 👍"]').waitFor({ timeout: 15_000 });
    const texts = await Promise.all((await desktop.driver.findElements(By.css('[data-testid="message"]'))).map((e) => e.getAttribute("data-text")));
    assert.deepEqual(texts, ["Hello Bob, climbing on Saturday?", "Yes! 9:00 at the gym 🧗", "see you 👍"], "each message once, in order");
    await desktop.screenshot("22-desktop-conversation");
    await (await desktop.driver.findElement(By.css('[aria-label="Chat info"]'))).click();
    await desktop.find("info-drawer");
    await desktop.screenshot("22b-desktop-chat-info");
    // Export: a folder in Downloads with the chat as a page and as JSON.
    await (await desktop.find("export-chat-button")).click();
    const folder = await (await desktop.find("export-done")).getAttribute("data-folder");
    assert.ok(folder.startsWith(join(desktop.dataDir, "Downloads")), folder);
    const page = readFileSync(join(folder, "index.html"), "utf8");
    assert.match(page, /Hello Bob, climbing on Saturday\?[\s\S]*Yes! 9:00 at the gym 🧗[\s\S]*see you 👍/);
    const exported = JSON.parse(readFileSync(join(folder, "chat.json"), "utf8"));
    assert.deepEqual(exported.messages.filter((m) => m.content.type === "text").map((m) => m.content.text), texts);
    await desktop.screenshot("22c-desktop-chat-exported");
    await (await desktop.driver.findElement(By.css('[aria-label="Chat info"]'))).click();

    // The chat list shows the conversation with its last message.
    assert.equal(await desktop.attr("chat-row", "data-title"), "Bob");
    await waitFor("the chat list preview", async () => (await desktop.attr("chat-row", "data-preview")) === "see you 👍");
    await desktop.screenshot("23-desktop-chat-list");
    await (await desktop.find("chats-plus")).click();
    await desktop.screenshot("23b-desktop-new-group");
    await (await desktop.driver.findElement(By.css(".modal-actions .secondary-button"))).click();
  });

  test("Search: Ctrl+F finds Bob and his Chinese message by one or two characters, and opens it in context", async () => {
    // Bob asks in Chinese; then the chat moves on by 60 messages, so the question scrolls away.
    await bobPhone.page.getByTestId("phone-composer").fill("周末去阳朔攀岩吗？");
    await bobPhone.page.getByTestId("phone-send").click();
    const conversation = await desktop.attr("conversation", "data-id");
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="message"][data-text="周末去阳朔攀岩吗？"]'))) === 1, 15_000, "the question arrives");
    for (let i = 1; i <= 60; i++) await desktop.invoke("send_text", { conversation, text: `later message ${i}`, replyTo: null, mentions: [], mentionAll: false });
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="message"][data-state="sent"][data-text="later message 60"]'))) === 1, 30_000, "the chat moved on");
    await (await desktop.find("rail-contacts")).click();

    // Ctrl+F from another section goes to the search box.
    await desktop.driver.actions().keyDown(Key.CONTROL).sendKeys("f").keyUp(Key.CONTROL).perform();
    await desktop.driver.wait(async () => (await desktop.driver.executeScript("return document.activeElement?.id")) === "chat-search", 5000, "Ctrl+F focuses search");
    // WebKitWebDriver's sendKeys cannot type Chinese (no input method): set the box's value the
    // way an input method does, through the native setter and an input event.
    const search = (q) =>
      desktop.driver.executeScript(
        "const i = document.getElementById('chat-search'); Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(i, arguments[0]); i.dispatchEvent(new Event('input', { bubbles: true }));",
        q,
      );
    const hits = async () => desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=search-message] mark')].map((m) => m.textContent)");
    for (const q of ["岩", "攀岩", "阳朔攀"]) {
      await search(q);
      await desktop.driver.wait(async () => JSON.stringify(await hits()) === JSON.stringify([q]), 10_000, `"${q}" finds the message once, marked`);
    }
    await desktop.screenshot("24-desktop-search");
    await search("");
    await (await desktop.find("search-input")).sendKeys("bob");
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="search-contact"][data-name="Bob"]'))) === 1, 10_000, "Bob among contacts");
    await search("攀岩");
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="search-message"]'))) === 1, 10_000, "the hit");
    await (await desktop.find("search-message")).click();
    // The chat opens at the question, not at the bottom, and flashes it.
    const question = By.css('[data-testid="message"][data-text="周末去阳朔攀岩吗？"]');
    await desktop.driver.wait(async () => (await count(By.css(".bubble-row.flash"))) === 1, 10_000, "the question, flashed");
    await desktop.driver.wait(
      async () =>
        desktop.driver.executeScript(
          "const q = arguments[0].getBoundingClientRect(), s = document.querySelector('.messages, [data-testid=conversation] .scroller')?.getBoundingClientRect() ?? document.body.getBoundingClientRect(); return q.top >= s.top && q.bottom <= s.bottom;",
          await desktop.driver.findElement(question),
        ),
      10_000,
      "the question is in view",
    );
    await desktop.screenshot("24b-desktop-search-jump");
    assert.equal(await desktop.driver.findElements(By.css('[data-testid="message"][data-text="later message 60"]')).then((e) => e.length), 0, "the newest are out of view (virtualised away)");
  });

  test("Forward: two messages merged into a chat history card for File Transfer, one forwarded as it is, two deleted at once", async () => {
    const notes = await desktop.invoke("open_file_transfer", {});
    await (await desktop.find("rail-chats")).click();
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    const row = (text) => By.css(`[data-testid="message"][data-text="${text}"]`);
    // The forward dialog lists the chats once they load.
    const target = By.css(`[data-testid="forward-chat"][data-title="${notes.title}"] input`);
    const pickTarget = async () => {
      await desktop.driver.wait(async () => (await count(target)) === 1, 10_000, "File Transfer in the dialog");
      await (await desktop.driver.findElement(target)).click();
    };
    // WebKitWebDriver's context click does not reach the page: send the event a right click makes.
    const rightClick = (text) =>
      desktop.driver.executeScript(
        "const b = document.querySelector(`[data-testid=message][data-text=\"${arguments[0]}\"] .bubble`); const r = b.getBoundingClientRect(); b.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: r.left + 10, clientY: r.top + 10 }));",
        text,
      );
    await desktop.driver.wait(async () => (await count(row("later message 60"))) === 1, 15_000, "the chat's end");
    // Right-click → Select…, then click another: two chosen, then "Merge and forward".
    await rightClick("later message 59");
    await (await desktop.find("menu-select")).click();
    await (await desktop.driver.findElement(By.css(`[data-testid="message"][data-text="later message 60"] .bubble`))).click();
    await desktop.driver.wait(async () => /2 selected/.test(await desktop.driver.executeScript("return document.querySelector('[data-testid=select-bar]').textContent")), 5000, "two selected");
    await desktop.screenshot("25a-desktop-multi-select");
    await (await desktop.find("forward-merged")).click();
    await pickTarget();
    await desktop.screenshot("25b-desktop-forward-dialog");
    await (await desktop.find("forward-send")).click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="forward-dialog"]'))) === 0, 10_000, "sent");

    // One message forwarded as it is, from the context menu.
    await rightClick("later message 58");
    await (await desktop.find("menu-forward")).click();
    await pickTarget();
    await (await desktop.find("forward-send")).click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="forward-dialog"]'))) === 0, 10_000, "sent");

    // Two deleted at once (from this computer).
    await rightClick("later message 57");
    await (await desktop.find("menu-select")).click();
    await (await desktop.driver.findElement(By.css(`[data-testid="message"][data-text="later message 56"] .bubble`))).click();
    await (await desktop.find("delete-selected")).click();
    await desktop.driver.wait(async () => (await count(row("later message 57"))) === 0 && (await count(row("later message 56"))) === 0, 10_000, "both gone");
    assert.equal(await count(row("later message 55")), 1, "the others stay");

    // File Transfer: the card, then the single message; the card opens into the two.
    await (await desktop.driver.findElement(By.css(`[data-testid="chat-row"][data-title="${notes.title}"]`))).click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="message"][data-state="sent"] [data-testid="history-card"]'))) === 1, 15_000, "the card, sent");
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="message"][data-state="sent"][data-text="later message 58"]'))) === 1, 15_000, "the single message, sent");
    const title = await (await desktop.find("history-card")).getAttribute("data-title");
    assert.match(title, /^Chat history of /);
    await desktop.screenshot("25c-desktop-history-card");
    await (await desktop.find("history-card")).click();
    const items = await desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=history-item]')].map((i) => i.textContent)");
    assert.equal(items.length, 2);
    assert.match(items[0], /later message 59/);
    assert.match(items[1], /later message 60/);
    await desktop.screenshot("25d-desktop-history-viewer");
    await (await desktop.driver.findElement(By.css('[data-testid="history-viewer"] .secondary-button'))).click();

    // Alice's phone opens the same card in File Transfer.
    await alicePhone.page.goto(`${server.url}/m/`);
    await alicePhone.page.getByTestId("phone-file-transfer").click();
    await alicePhone.page.getByTestId("phone-history").click();
    await alicePhone.page.getByTestId("phone-history").getByText("later message 60").waitFor();
    await alicePhone.screenshot("25e-phone-history");

    // Block and unblock from Bob's profile: the button says which it will do.
    await (await desktop.find("rail-contacts")).click();
    await (await desktop.find("contact-row")).click();
    const blockButton = async () => desktop.driver.executeScript("const b = document.querySelector('[data-testid=profile-block]'); return b && [b.dataset.blocked, b.textContent]");
    await desktop.driver.wait(async () => JSON.stringify(await blockButton()) === JSON.stringify(["false", "Block"]), 10_000, "Block offered");
    await (await desktop.find("profile-block")).click();
    await desktop.driver.wait(async () => JSON.stringify(await blockButton()) === JSON.stringify(["true", "Unblock"]), 10_000, "blocked: Unblock offered");
    await desktop.screenshot("25f-desktop-unblock");
    await (await desktop.find("profile-block")).click();
    await desktop.driver.wait(async () => JSON.stringify(await blockButton()) === JSON.stringify(["false", "Block"]), 10_000, "unblocked");
  });

  test("Carol adds Alice by scanning the QR code on Alice's desktop", async () => {
    await (await desktop.find("rail-settings")).click();
    // The devices list above may still be settling; click again if the first click missed.
    await waitFor("my QR code card", async () => {
      if ((await desktop.driver.findElements(By.css('[data-testid="my-card"]'))).length > 0) return true;
      for (const b of await desktop.driver.findElements(By.css('[data-testid="show-my-card"]'))) await b.click();
      return false;
    });
    const card = await desktop.find("my-card");
    await desktop.driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", card);
    // Decode what is on screen, as a phone camera would (retrying while it renders).
    const url = await waitFor("a readable QR code on the screen", async () => decodeQr(await desktop.screenshot("24-desktop-my-card")), 10_000);
    assert.equal(url, await (await card.findElement(By.css(".card-qr"))).getAttribute("data-url"));
    assert.match(url, /\/m\/u\/alice$/);

    // Any phone camera opens the card's link; Carol's companion offers "Add friend".
    const carol = await startPhone();
    try {
      await phoneSignUp(carol.page, server.url, "carol2", "13800000014");
      await carol.page.goto(url);
      await carol.page.getByTestId("card-add").click();
      await carol.page.getByRole("status").filter({ hasText: "Friend request sent." }).waitFor();
      await carol.screenshot("25-phone-add-by-card");
    } finally {
      await carol.stop();
    }
    await (await desktop.find("rail-contacts")).click();
    await (await desktop.find("new-friends")).click();
    await desktop.driver.wait(
      async () => (await desktop.driver.findElements(By.css('[data-testid="accept-request"]'))).length === 1,
      15_000,
      "Carol's request reaches the desktop",
    );
  });
});
