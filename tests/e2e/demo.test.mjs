// `cargo xtask run --demo`'s world, as a newcomer sees it: Alice signs the desktop in and finds
// chats with photos and files waiting.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { Key } from "selenium-webdriver";
import { By, OUT, decodeQr, phoneSignIn, startBrowser, startDesktop, startPhone, startServer, waitFor, writeY4m } from "./harness.mjs";

describe("the demo world", () => {
  let server, desktop, phone;
  /** How many elements match, while the page changes under the query (a node gone mid-query
   *  counts as "not yet", -1, not as a failure). */
  const count = async (by) => desktop.driver.findElements(by).then((e) => e.length, () => -1);

  before(async () => {
    server = await startServer();
    execFileSync(process.env.XIN_DEMO_BIN, ["--server", server.url], { stdio: "inherit" });
    desktop = await startDesktop(server.url);
  });

  after(async () => {
    await phone?.stop();
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
    // The calls: Alice's declined video call and Bob's voice call back, one line each.
    const calls = await desktop.driver.executeScript(
      "const l = [...document.querySelectorAll('[data-testid=call-line]')]; l[0]?.scrollIntoView({ block: 'center' }); return l.map((e) => [e.dataset.outcome, e.textContent]);",
    );
    assert.deepEqual(calls.map(([outcome]) => outcome), ["declined", "completed"]);
    assert.match(calls[1][1], /Call duration 00:0[1-9]/);
    await desktop.screenshot("40b-demo-call-lines");
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
    // ¥1 288 topped up, ¥45 sent to Bob, ¥18 paid to the café, ¥25 from Carol, ¥88.88 from Bob.
    await desktop.driver.wait(async () => (await desktop.attr("wallet-balance", "data-fen")) === String(128_800 - 4_500 - 1_800 + 2_500 + 8_888), 20_000, "the balance");
    assert.match(await (await desktop.find("wallet-balance")).getText(), /¥1,338\.88/);
    const kinds = async () => Promise.all((await desktop.driver.findElements(By.css('[data-testid="bill"]'))).map((b) => b.getAttribute("data-kind")));
    await waitFor("five bills", async () => (await kinds()).length === 5);
    assert.deepEqual(await kinds(), ["transfer_in", "payment_in", "payment_out", "transfer_out", "top_up"]);
    const bills = await desktop.driver.findElements(By.css('[data-testid="bill"]'));
    assert.match(await bills[2].getText(), /Paid Summit Coffee[\s\S]*-¥18\.00/);
    assert.match(await bills[1].getText(), /From Carol[\s\S]*\+¥25\.00/);
    await bills[0].click();
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
    // WebKit's clear() does not always reach React: empty the box as a person would.
    await pin.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
    await desktop.driver.wait(async () => (await pin.getAttribute("value")) === "", 5000, "the PIN box is empty");
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
  test("Bob's phone scans Alice's receive code and pays; her desktop shows it at once; he opens her red envelope", async () => {
    // Close the envelope details the last test left open.
    for (const close of await desktop.driver.findElements(By.xpath("//div[@data-testid='envelope-details']//button[text()='Close']"))) await close.click();
    await (await desktop.find("rail-wallet")).click();
    await (await desktop.find("wallet-receive")).click();
    await (await desktop.find("receive-set-amount")).click();
    await (await desktop.find("receive-amount-input")).sendKeys("12.34");
    await (await desktop.find("receive-amount-ok")).click();
    await desktop.driver.wait(async () => /fen=1234/.test((await desktop.attr("receive-qr", "data-url")) ?? ""), 10_000, "the code asks for ¥12.34");
    const shown = await desktop.attr("receive-qr", "data-url");
    assert.match(shown, new RegExp(`^${server.url}/m/pay/alice\\?fen=1234$`));
    // The window paints a moment after the DOM changes: shoot until the new code is on screen.
    const shot = await waitFor("the receive code on screen", async () => {
      const png = await desktop.screenshot("51-demo-receive-code");
      try {
        return decodeQr(png) === shown ? png : null;
      } catch {
        return null;
      }
    });

    // Bob's phone: signed in, its camera pointed at Alice's screen.
    const video = join(OUT, "receive-camera.y4m");
    writeY4m(shot, video);
    phone = await startPhone(video);
    const page = phone.page;
    await phoneSignIn(page, server.url, "bob");
    // As in the login test: a fake camera that starts badly under load gets another chance, as
    // a person would reopen Scan.
    for (let attempt = 1; ; attempt++) {
      await page.goto(`${server.url}/m/wallet`);
      await page.getByTestId("wallet-scan").click();
      try {
        await page.getByTestId("pay-page").waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        await phone.screenshot(`failed-pay-scan-${attempt}`);
        if (attempt === 3) throw e;
      }
    }
    assert.equal(await page.getByTestId("pay-payee").innerText(), "Alice");
    assert.match(await page.getByTestId("pay-fixed-amount").innerText(), /¥12\.34/);
    await page.getByTestId("pay-pin").fill("123456");
    await phone.screenshot("19-demo-phone-pays-receive-code");
    await page.getByTestId("pay-submit").click();
    await page.locator('[data-testid="pay-done"][data-fen="1234"]').waitFor();

    // Alice's desktop says so while the code is still on screen, and her balance moved.
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="receive-paid"][data-fen="1234"]'))).length === 1, 20_000, "received live");
    assert.match(await (await desktop.find("receive-paid")).getText(), /Received ¥12\.34 from Bob/);
    await desktop.screenshot("52-demo-received-live");
    await desktop.driver.actions().sendKeys("\uE00C").perform();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="bill"][data-kind="payment_in"]'))).length === 2, 20_000, "the bill, next to Carol's");
    assert.match(await (await desktop.find("bill")).getText(), /From Bob[\s\S]*\+¥12\.34/);

    // The lucky envelope Alice sent from the desktop: Bob opens the last share on his phone.
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByTestId("tab-chats").click();
    await page.locator('[data-testid="phone-chat-row"][data-title="Weekend climbers"]').click();
    const open = page.locator('[data-testid="phone-red-envelope"][data-mine=""]');
    await open.last().click();
    await waitFor("Bob's share", async () => Number(await page.getByTestId("phone-red-envelope").last().getAttribute("data-mine")) > 0);
    await phone.screenshot("20-demo-phone-red-envelope");
  });
  test("Subscriptions: the accounts Alice follows arrive as one row; an article opens in the reader, sanitised", async () => {
    await (await desktop.find("rail-chats")).click();
    const row = await desktop.find("subscriptions-row");
    assert.match(await desktop.driver.executeScript("return arguments[0].textContent", row), /Subscriptions.*Crag Daily: Five sunset crags/);
    // The café wears its picture. (A new computer starts with nothing unread: what came before
    // it signed in was delivered to the phone; new arrivals count, below in the console test.)
    const cafeRow = By.css('[data-testid="service-row"][data-title="Summit Coffee"]');
    await desktop.driver.wait(async () => desktop.driver.executeScript("const i = document.querySelector('[data-testid=service-row][data-title=\"Summit Coffee\"] img.avatar'); return !!i && i.complete && i.naturalWidth > 0"), 20_000, "the café's picture");
    await desktop.screenshot("62-demo-chats-subscriptions");
    await row.click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="article-card"]'))) > 0, 20_000, "the articles");
    const cards = await desktop.driver.findElements(By.css('[data-testid="article-card"]'));
    assert.deepEqual(await Promise.all(cards.map((c) => c.getAttribute("data-title"))), ["Five sunset crags within an hour of town", "Rope care: when to retire a rope"], "subscription accounts only: the café is a service account, its own chat");
    await desktop.driver.wait(async () => desktop.driver.executeScript("return [...document.querySelectorAll('.article-card img')].every((i) => i.complete && i.naturalWidth > 0)"), 20_000, "the covers load");
    await desktop.screenshot("63-demo-subscriptions");
    await cards[0].click();
    const body = await desktop.find("reader-body");
    await desktop.driver.wait(async () => desktop.driver.executeScript("return [...document.querySelectorAll('.reader-body img')].length === 1 && [...document.querySelectorAll('.reader-body img')].every((i) => i.complete && i.naturalWidth > 0)"), 20_000, "the article's picture loads through Xin's media path");
    assert.match(await body.getText(), /The list[\s\S]*Moon Hill/);
    assert.equal(await desktop.driver.executeScript("return document.querySelectorAll('.reader-body script, .reader-body [onerror], .reader-body [style]').length"), 0);
    await (await desktop.find("reader-like")).click();
    await desktop.driver.wait(async () => /👍 1/.test(await (await desktop.find("reader-like")).getText()), 10_000, "liked");
    assert.match(await (await desktop.find("reader-reads")).getText(), /Reads 1/);
    await desktop.screenshot("64-demo-reader");
    // Share it with Bob: a card in their chat that opens the reader.
    await (await desktop.find("reader-share")).click();
    // The dialog lists the chats once they load.
    const shareBob = By.css('[data-testid="share-chat"][data-title="Bob"]');
    await desktop.driver.wait(async () => (await count(shareBob)) === 1, 10_000, "Bob among the chats");
    await (await desktop.driver.findElement(shareBob)).click();
    await desktop.driver.wait(async () => /Shared to Bob/.test(await (await desktop.find("reader-shared")).getText()), 10_000, "shared");
    await (await desktop.find("reader-back")).click();
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    const card = By.css('[data-testid="article-bubble"][data-title="Five sunset crags within an hour of town"]');
    await desktop.driver.wait(async () => (await desktop.driver.findElements(card)).length === 1, 20_000, "the card in the chat");
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="message"][data-state="sent"] [data-testid="article-bubble"]'))).length === 1, 20_000, "sent");
    await desktop.screenshot("69-demo-shared-article");
    await (await desktop.driver.findElement(card)).click();
    await desktop.driver.wait(async () => /Five sunset crags/.test(await (await desktop.find("reader-title")).getText()), 20_000, "the card opens the reader");
    await (await desktop.find("reader-back")).click();
    await (await desktop.find("subscriptions-row")).click();

    // Summit Coffee, a service account, is its own chat: its welcome and broadcast, its menu
    // (a keyword answered by the account), and a message answered by its default reply.
    await (await desktop.driver.findElement(cafeRow)).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="official-message"]'))).length === 1, 20_000, "the welcome");

    assert.match(await desktop.driver.executeScript("return document.querySelector('[data-testid=official-chat]').textContent"), /Welcome to Summit Coffee[\s\S]*Climbers' breakfast/);
    await (await desktop.driver.findElement(By.xpath("//button[@data-testid='official-menu-button'][contains(., 'Visit')]"))).click();
    await (await desktop.driver.findElement(By.xpath("//button[@data-testid='official-menu-item'][contains(., 'Opening hours')]"))).click();
    await desktop.driver.wait(async () => /Open 7 am/.test(await desktop.driver.executeScript("return document.querySelector('[data-testid=official-chat]').textContent")), 20_000, "the hours");
    await (await desktop.find("official-input")).sendKeys("Do you have oat milk?\uE007");
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="official-message"]'))).length === 4, 20_000, "the question and the default reply");
    const said = await desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=official-message]')].map((m) => (m.dataset.mine === undefined ? '< ' : '> ') + m.lastElementChild.textContent)");
    assert.deepEqual(said, ["< Welcome to Summit Coffee ☕ Tap Visit for our hours.", "< Open 7 am – 7 pm every day, 6 am on weekends for early climbers.", "> Do you have oat milk?", "< Thanks for your message! A barista will answer soon."]);
    await desktop.screenshot("67-demo-service-account-chat");

    // Crag Daily's profile: its introduction and its article history.
    await (await desktop.find("rail-contacts")).click();
    await (await desktop.find("official-accounts")).click();
    const daily = By.xpath("//button[@data-testid='official-profile-open'][text()='Crag Daily']");
    await desktop.driver.wait(async () => (await desktop.driver.findElements(daily)).length === 1, 20_000, "the accounts Alice follows");
    await (await desktop.driver.findElement(daily)).click();
    const profile = await desktop.find("official-profile");
    await desktop.driver.wait(async () => /Routes, gear and weather[\s\S]*Five sunset crags[\s\S]*Rope care/.test(await profile.getText()), 20_000, "the history");
    await desktop.screenshot("70-demo-official-profile");
    await (await desktop.find("rail-chats")).click();
    // Search finds the delivered article too, and opens Subscriptions.
    await (await desktop.find("search-input")).sendKeys("rope care");
    const articleHit = By.css('[data-testid="search-article"]');
    await desktop.driver.wait(async () => (await count(articleHit)) === 1, 10_000, "the article among the results");
    await desktop.screenshot("71-demo-search-article");
    await (await desktop.driver.findElement(articleHit)).click();
    await desktop.find("subscriptions");
    // Leave Subscriptions (an open Subscriptions reads what arrives; the console test below
    // watches a new broadcast arrive unread).
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
  });
  test("Moments: Bob's phone posts a photo; Alice's desktop sees it, likes and comments; Bob's phone is told", async () => {
    // The rail's Moments badge: two messages wait (Bob liked Alice's photo, then Carol commented
    // on her climbers-only post), with the newest sender's avatar.
    const badge = await desktop.find("moments-badge");
    assert.equal(await badge.getAttribute("data-count"), "2");
    assert.equal(await (await badge.findElement(By.css('[role="img"]'))).getAttribute("aria-label"), "Carol");
    await desktop.screenshot("57-demo-moments-badge");
    await (await desktop.find("rail-moments")).click();
    // The "2 new messages" bar opens the messages list, newest first; reading it clears the badge.
    await (await desktop.find("moments-new-notices")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="moment-notice"]'))).length === 2, 20_000, "two notices");
    const notices = await desktop.driver.findElements(By.css('[data-testid="moment-notice"]'));
    assert.match(await notices[0].getText(), /Carol[\s\S]*Mine is yours/);
    assert.equal(await notices[1].getAttribute("data-kind"), "like");
    await desktop.screenshot("58-demo-moments-notices");
    await (await desktop.driver.findElement(By.css('[data-testid="moment-notices"] [aria-label="Close"]'))).click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="moments-badge"]'))) === 0, 20_000, "the badge clears");
    // Bob's shared guide shows as a link card.
    const guide = await desktop.find("moment-link");
    assert.match(await desktop.driver.executeScript("return arguments[0].textContent", guide), /Yangshuo: limestone towers/);
    // The demo's posts: Carol's sunset (liked by Alice, comments from Bob and Alice) and Alice's.
    const carols = By.css('[data-testid="moment"][data-text^="Sunset at the crag"]');
    await desktop.driver.wait(async () => (await desktop.driver.findElements(carols)).length === 1, 20_000, "Carol's post");
    const carol = await desktop.driver.findElement(carols);
    assert.match(await carol.getText(), /♥ Alice[\s\S]*Bob: That light! Same time next week\?[\s\S]*Alice: I'm in/);
    await desktop.driver.wait(async () => desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=moment-image]')].every((i) => i.complete && i.naturalWidth > 0)"), 20_000, "the pictures load");
    // Carol's picture opens in the viewer.
    await (await carol.findElement(By.css('[data-testid="moment-image"]'))).click();
    const viewer = await desktop.find("image-viewer");
    assert.match(await viewer.getText(), /1 \/ 1/);
    await desktop.screenshot("59-demo-moments-viewer");
    await (await viewer.findElement(By.css('[aria-label="Close"]'))).click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="image-viewer"]'))) === 0, 10_000, "the viewer closes");

    // Bob posts from his phone.
    const page = phone.page;
    await page.goto(`${server.url}/m/moments`);
    await page.getByTestId("moments-compose").click();
    await page.getByTestId("new-post-text").fill("New rope, first lead 🧗");
    await page.getByTestId("new-post-file").setInputFiles(new URL("../../crates/xin-demo/assets/video-thumb.jpg", import.meta.url).pathname);
    await page.getByTestId("new-post-submit").click();
    await page.locator('[data-testid="post"][data-text="New rope, first lead 🧗"]').waitFor();
    await page.getByTestId("tab-chats").click();

    // Alice's desktop shows it by itself; she likes it and comments.
    const bobs = By.css('[data-testid="moment"][data-text="New rope, first lead 🧗"]');
    await desktop.driver.wait(async () => (await desktop.driver.findElements(bobs)).length === 1, 20_000, "Bob's post arrives");
    const bob = await desktop.driver.findElement(bobs);
    await bob.findElement(By.css('[data-testid="moment-like"]')).click();
    await bob.findElement(By.css('[data-testid="moment-comment"]')).click();
    await (await bob.findElement(By.css('[data-testid="moment-comment-input"]'))).sendKeys("Looking strong! 💪\uE007");
    await desktop.driver.wait(async () => /♥ Alice[\s\S]*Alice: Looking strong!/.test(await (await desktop.driver.findElement(bobs)).getText()), 20_000, "liked and commented");
    await desktop.driver.wait(async () => desktop.driver.executeScript("return [...document.querySelectorAll('[data-testid=moment-image]')].every((i) => i.complete && i.naturalWidth > 0)"), 20_000, "Bob's picture loads");
    await desktop.screenshot("53-demo-moments");

    // Bob's phone: the badge, then the like and the comment.
    await waitFor("Bob's Moments badge", async () => (await page.getByTestId("moments-badge").textContent()) === "2");
    await page.getByTestId("tab-moments").click();
    const mine = page.locator('[data-testid="post"][data-text="New rope, first lead 🧗"]');
    await waitFor("the like and comment on the phone", async () => /Alice: Looking strong!/.test(await mine.innerText()));
    await phone.screenshot("23-demo-phone-moments");

    // Alice posts from the desktop's composer; Bob sees it.
    await (await desktop.find("moments-compose")).click();
    await (await desktop.find("composer-text")).sendKeys("Who's up for Sunday?");
    await desktop.screenshot("55-demo-moments-composer");
    await (await desktop.find("composer-post")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="moment"][data-text="Who\'s up for Sunday?"]'))).length === 1, 20_000, "Alice's post");
    // And one hidden from Bob, choosing him in the composer's audience.
    await (await desktop.find("moments-compose")).click();
    await (await desktop.find("composer-text")).sendKeys("Surprise cake for Bob on Sunday 🎂");
    await (await (await desktop.find("composer-visibility")).findElement(By.css('option[value="except"]'))).click();
    await (await desktop.driver.findElement(By.css('[data-testid="audience-friend"][data-name="Bob"] input'))).click();
    await desktop.screenshot("60-demo-moments-audience");
    await (await desktop.find("composer-post")).click();
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="moment"][data-text^="Surprise cake"]'))).length === 1, 20_000, "the surprise post");
    await page.reload();
    await page.locator('[data-testid="post"][data-text="Who\'s up for Sunday?"]').waitFor();
    assert.equal(await page.locator('[data-testid="post"][data-text^="Surprise cake"]').count(), 0, "hidden from Bob");

    // On Carol's post, Alice answers Bob's comment: clicking it replies to him.
    const crag = await desktop.driver.findElement(carols);
    await (await crag.findElement(By.xpath(".//div[@data-testid='moment-comment-line'][contains(., 'That light!')]"))).click();
    const input = await crag.findElement(By.css('[data-testid="moment-comment-input"]'));
    assert.equal(await input.getAttribute("placeholder"), "Reply to Bob");
    await input.sendKeys("Yes! Bring the new rope\uE007");
    await desktop.driver.wait(async () => /Alice replied to Bob: Yes! Bring the new rope/.test(await (await desktop.driver.findElement(carols)).getText()), 20_000, "the reply");

    // Bob's profile: "Hide their Moments" takes his posts out of Alice's feed (and only that).
    await (await desktop.find("rail-contacts")).click();
    await (await desktop.driver.findElement(By.xpath("//button[@data-testid='contact-row'][contains(., 'Bob')]"))).click();
    // His tags (the demo's "Climbing"), and his album with the guide he shared.
    const tags = await desktop.find("profile-tags");
    assert.match(await tags.getText(), /Climbing/);
    await (await desktop.find("profile-tags-edit")).click();
    const line = await desktop.find("profile-tags-input");
    // Type over it from the end (clearing would blur, and blurring saves).
    await line.sendKeys("\uE010" + "\uE003".repeat(12) + "Climbing, Family\uE007");
    await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="profile-tag"]'))).length === 2, 20_000, "two tags");
    const bobContact = (await desktop.invoke("contacts")).contacts.find((c) => c.user.display_name === "Bob");
    assert.deepEqual(bobContact.tags, ["Climbing", "Family"]);
    await (await desktop.find("profile-album")).click();
    const album = await desktop.find("album");
    await desktop.driver.wait(async () => /New rope, first lead[\s\S]*The route guide for next weekend/.test(await album.getText()), 20_000, "Bob's album");
    await desktop.screenshot("61-demo-album");
    await (await album.findElement(By.css('[aria-label="Close"]'))).click();
    const hide = await desktop.find("profile-hide-theirs");
    assert.equal(await hide.isSelected(), false);
    await hide.click();
    await desktop.screenshot("54-demo-profile-moments");
    await (await desktop.find("rail-moments")).click();
    await desktop.driver.wait(async () => (await count(By.css('[data-testid="moment"]'))) > 0, 20_000, "the feed");
    await desktop.driver.wait(async () => (await count(bobs)) === 0, 20_000, "Bob's post is hidden");
    assert.equal((await desktop.driver.findElements(carols)).length, 1, "Carol's stays");

    // Settings: how far back friends may look in Alice's Moments.
    await (await desktop.find("rail-settings")).click();
    const window = await desktop.find("setting-moments-window");
    await desktop.driver.wait(async () => window.isEnabled(), 10_000, "the setting loaded");
    assert.equal(await window.getAttribute("value"), "all");
    await (await window.findElement(By.css('option[value="six_months"]'))).click();
    await desktop.screenshot("56-demo-settings-moments");
    await desktop.driver.wait(async () => (await desktop.invoke("moments_settings")).window === "six_months", 10_000, "saved");
  });
  test("Console: Bob signs in with his phone and publishes; Alice follows on the desktop and reads it", async () => {
    const browser = await startBrowser();
    try {
      const c = browser.page;
      await c.goto(`${server.url}/console/`);
      const qr = c.getByTestId("console-qr");
      await qr.waitFor();
      const url = await qr.getAttribute("data-url");
      assert.match(url, new RegExp(`^${server.url}/m/l/`));
      await browser.screenshot("30-console-signin");
      // Bob's phone opens the code (its scanner is tested with the desktop's QR) and picks the
      // number the console shows.
      const page = phone.page;
      await page.goto(url);
      const code = await c.getByTestId("console-code").getAttribute("data-code");
      await page.locator(`[data-testid="confirm-code"][data-code="${code}"]`).click();
      await page.getByTestId("confirm-done").waitFor();

      // Bob owns no account yet: the console asks for one.
      await c.getByTestId("account-name").fill("Alpine Weekly");
      await c.getByTestId("account-handle").fill("alpine_weekly");
      await c.getByTestId("account-intro").fill("Mountain news every week.");
      await c.getByTestId("account-create").click();
      await c.getByTestId("tab-write").click();
      await c.getByTestId("writer-title").fill("Ice season opens");
      await c.getByTestId("writer-digest").fill("The north faces are in.");
      await c.getByTestId("writer-body").click();
      await c.keyboard.type("The north faces are ");
      await c.keyboard.press("Control+B");
      await c.keyboard.type("in condition");
      await c.keyboard.press("Control+B");
      await c.keyboard.type(". Bring screws.");
      await c.getByTestId("writer-picture").setInputFiles(new URL("../../crates/xin-demo/assets/video-thumb.jpg", import.meta.url).pathname);
      await waitFor("the picture in the editor", async () => (await c.locator('[data-testid="writer-body"] img[data-blob]').count()) === 1);
      await c.getByTestId("writer-preview").click();
      await c.getByTestId("writer-preview-pane").waitFor();
      await browser.screenshot("31-console-preview");
      await c.getByTestId("writer-save").click();
      await c.locator('[data-testid="console-article"][data-title="Ice season opens"]').waitFor();

      // Alice finds Alpine Weekly on her desktop and follows it.
      await (await desktop.find("rail-contacts")).click();
      await (await desktop.find("official-accounts")).click();
      await (await desktop.find("official-search")).sendKeys("alpine\uE007");
      const row = By.css('[data-testid="official-account"][data-name="Alpine Weekly"] [data-testid="official-follow"]');
      await desktop.driver.wait(async () => (await desktop.driver.findElements(row)).length === 1, 20_000, "found");
      await (await desktop.driver.findElement(row)).click();
      await desktop.driver.wait(async () => /Unfollow/.test(await (await desktop.driver.findElement(row)).getText()), 20_000, "following");
      await desktop.screenshot("65-demo-official-accounts");

      // Bob broadcasts it; the console says it reached one follower.
      await c.locator('[data-testid="console-article"][data-title="Ice season opens"] input').check();
      await c.getByTestId("console-broadcast").click();
      await c.getByTestId("console-sent").filter({ hasText: "Sent to 1 follower." }).waitFor();
      await browser.screenshot("32-console-sent");

      // Alice's desktop: it arrives in Subscriptions and renders in the reader, picture and all.
      await (await desktop.find("rail-chats")).click();
      await desktop.driver.wait(async () => /Alpine Weekly: Ice season opens/.test(await desktop.driver.executeScript("return document.querySelector('[data-testid=subscriptions-row]')?.textContent ?? ''")), 20_000, "the broadcast arrives");
      // A dot says something new arrived; opening Subscriptions reads it.
      await desktop.driver.wait(async () => (await (await desktop.find("subscriptions-row")).getAttribute("data-unread")) === "true", 20_000, "the new broadcast is unread");
      await desktop.screenshot("65b-demo-subscriptions-unread");
      await (await desktop.find("subscriptions-row")).click();
      await desktop.driver.wait(async () => (await (await desktop.find("subscriptions-row")).getAttribute("data-unread")) === "false", 20_000, "read once opened");
      const newest = await desktop.find("article-card");
      assert.equal(await newest.getAttribute("data-title"), "Ice season opens");
      await newest.click();
      await desktop.driver.wait(async () => desktop.driver.executeScript("return [...document.querySelectorAll('.reader-body img')].length === 1 && [...document.querySelectorAll('.reader-body img')].every((i) => i.complete && i.naturalWidth > 0)"), 20_000, "the article's picture loads");
      assert.match(await desktop.driver.executeScript("return document.querySelector('[data-testid=reader-body]').textContent"), /The north faces are in condition\. Bring screws\./);
      assert.equal(await desktop.driver.executeScript("return document.querySelector('.reader-body b, .reader-body strong')?.textContent"), "in condition");
      await desktop.screenshot("66-demo-console-article");
      // The console counts Alice's read.
      await c.reload();
      await waitFor("Alice's read", async () => /^1 reads$/.test((await c.locator('[data-testid="console-article"][data-title="Ice season opens"] [data-testid="article-reads"]').innerText()).trim()));

      // Alice writes to the account; Bob answers from the console's Messages, within the
      // 48-hour window, and Alice's desktop shows the answer.
      await (await desktop.find("rail-contacts")).click();
      await (await desktop.find("official-accounts")).click();
      const message = By.css('[data-testid="official-account"][data-name="Alpine Weekly"] [data-testid="official-message"]');
      await desktop.driver.wait(async () => (await desktop.driver.findElements(message)).length === 1, 20_000, "Alpine Weekly among the followed");
      await (await desktop.driver.findElement(message)).click();
      await (await desktop.find("official-input")).sendKeys("Great article! Which crag?\uE007");
      await desktop.driver.wait(async () => (await desktop.driver.findElements(By.css('[data-testid="official-message"]'))).length === 1, 20_000, "Alice's message");
      await c.getByTestId("tab-messages").click();
      await c.locator('[data-testid="inbox-row"][data-name="Alice"]').click();
      await c.getByTestId("inbox-thread").filter({ hasText: "Great article! Which crag?" }).waitFor();
      await c.getByTestId("inbox-reply").fill("The Eiger's north face. Thanks, Alice!");
      await c.getByTestId("inbox-reply").press("Enter");
      await c.getByTestId("inbox-thread").filter({ hasText: "Thanks, Alice!" }).waitFor();
      await browser.screenshot("33-console-messages");
      await desktop.driver.wait(async () => /Thanks, Alice!/.test(await desktop.driver.executeScript("return document.querySelector('[data-testid=official-chat]').textContent")), 20_000, "the answer on Alice's desktop");
      await desktop.screenshot("68-demo-official-answer");

      // A code for a poster: Bob's phone scans it (opens its link) and follows through it; the
      // console counts the follower under the poster's scene.
      await c.getByTestId("tab-qr").click();
      await c.getByTestId("qr-scene").fill("poster-7");
      await c.getByTestId("qr-make").click();
      const qrUrl = await c.getByTestId("qr-made").getAttribute("data-url");
      assert.match(qrUrl, new RegExp(`^${server.url}/m/oa/`));
      await page.goto(qrUrl);
      await page.getByTestId("follow-account").click();
      await page.getByTestId("follow-done").waitFor();
      await phone.screenshot("25-phone-follow-by-code");
      await c.locator('[data-testid="scene-row"][data-scene="poster-7"]').filter({ hasText: "1 follower" }).waitFor();
      await browser.screenshot("34-console-qr-codes");

      // Followers: who came through which code; Bob tags Alice, and a broadcast can aim at the tag.
      await c.getByTestId("tab-followers").click();
      await c.locator('[data-testid="follower-row"][data-name="Bob"]').filter({ hasText: "via “poster-7”" }).waitFor();
      const aliceRow = c.locator('[data-testid="follower-row"][data-name="Alice"]');
      await aliceRow.getByTestId("follower-edit-tags").click();
      await aliceRow.getByTestId("follower-tags-input").fill("Ice fans");
      await aliceRow.getByTestId("follower-tags-save").click();
      await aliceRow.getByTestId("follower-tag").filter({ hasText: "Ice fans" }).waitFor();
      await browser.screenshot("36-console-followers");
      await c.getByTestId("tab-articles").click();
      await c.getByTestId("broadcast-tag").locator("option", { hasText: "Ice fans" }).waitFor({ state: "attached" });

      // Profile: a picture for the account, which followers see.
      await c.getByTestId("tab-profile").click();
      await c.getByTestId("profile-avatar").setInputFiles(new URL("../../crates/xin-demo/assets/video-thumb.jpg", import.meta.url).pathname);
      await c.getByTestId("profile-intro").fill("Mountain news every week, from the ice to the sun.");
      await c.getByTestId("profile-save").click();
      await c.getByTestId("profile-saved").waitFor();
      await waitFor("the picture in the console's header", () => c.locator(".desk-head img.avatar").evaluate((img) => img.complete && img.naturalWidth > 0));
      await browser.screenshot("37-console-profile");

      // Bob gives the chat a menu and a keyword answer in the console; Alice taps it.
      await c.getByTestId("tab-replies").click();
      await c.getByTestId("replies-keywords").fill("ice = The north faces are in. Bring screws.");
      await c.getByTestId("replies-save").click();
      await c.getByText("Saved.").waitFor();
      await c.getByTestId("tab-menu").click();
      await c.getByTestId("menu-add").click();
      await c.getByTestId("menu-name").fill("Ask");
      await c.getByTestId("menu-item-name").fill("Ice now?");
      await c.getByTestId("menu-item-keyword").fill("ice");
      await c.getByTestId("menu-save").click();
      await c.getByText("Saved: followers see it under the chat.").waitFor();
      await browser.screenshot("35-console-menu");
      await (await desktop.find("rail-contacts")).click();
      await (await desktop.find("official-accounts")).click();
      await desktop.driver.wait(async () => (await desktop.driver.findElements(message)).length === 1, 20_000, "Alpine Weekly");
      await (await desktop.driver.findElement(message)).click();
      const ask = By.xpath("//button[@data-testid='official-menu-button'][contains(., 'Ask')]");
      await desktop.driver.wait(async () => (await desktop.driver.findElements(ask)).length === 1, 20_000, "the new menu");
      await (await desktop.driver.findElement(ask)).click();
      const ice = By.xpath("//button[@data-testid='official-menu-item'][contains(., 'Ice now?')]");
      await desktop.driver.wait(async () => (await desktop.driver.findElements(ice)).length === 1, 10_000, "its item");
      await (await desktop.driver.findElement(ice)).click();
      await desktop.driver.wait(async () => /The north faces are in\. Bring screws\./.test(await desktop.driver.executeScript("return document.querySelector('[data-testid=official-chat]').textContent")), 20_000, "the keyword's answer");

      // Bob's phone reads Crag Daily in its Subscriptions, sanitised, its picture loaded.
      await page.goto(`${server.url}/m/`);
      await page.getByTestId("phone-subscriptions-row").click();
      await page.locator('[data-testid="phone-article-card"][data-title="Five sunset crags within an hour of town"]').click();
      await page.getByTestId("phone-reader").getByText("Moon Hill").waitFor();
      await waitFor("the article's picture", () => page.locator(".phone-reader-body img").evaluate((img) => img.complete && img.naturalWidth > 0));
      assert.equal(await page.locator(".phone-reader-body script, .phone-reader-body [onerror]").count(), 0);
      await page.getByTestId("phone-reader-like").click();
      await page.getByTestId("phone-reader-like").filter({ hasText: "👍 2" }).waitFor();
      await phone.screenshot("26-phone-reader");
    } finally {
      await browser.stop();
    }
  });
  test("Bob's phone finds accounts, chats with the café through its menu, shares an article and unfollows", async () => {
    const page = phone.page;
    await page.goto(`${server.url}/m/`);
    // The café is its own chat on the phone too.
    await page.locator('[data-testid="phone-service-row"][data-title="Summit Coffee"]').waitFor();
    await page.getByTestId("tab-contacts").click();
    await page.getByTestId("phone-official-entry").click();
    // The accounts Bob follows; a search finds one by name.
    await page.locator('[data-testid="phone-official-row"][data-name="Crag Daily"]').waitFor();
    await page.getByTestId("phone-official-search").fill("summit");
    await page.getByTestId("phone-official-search").press("Enter");
    await page.locator('[data-testid="phone-official-row"]').first().waitFor();
    assert.deepEqual(await page.locator('[data-testid="phone-official-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.name)), ["Summit Coffee"]);
    await phone.screenshot("27a-phone-official-search");
    await page.locator('[data-testid="phone-official-row"][data-name="Summit Coffee"]').click();
    await page.getByTestId("phone-account").getByText("Coffee at the foot of the crag.").waitFor();
    await waitFor("the café's picture", () => page.locator('[data-testid="phone-account"] img.avatar').evaluate((img) => img.complete && img.naturalWidth > 0));
    await phone.screenshot("27-phone-official-account");
    await page.getByTestId("phone-account-message").click();
    // Its menu: a keyword the café answers.
    await page.getByTestId("phone-official-menu-button").filter({ hasText: "Visit" }).click();
    await page.getByTestId("phone-official-menu-item").filter({ hasText: "Opening hours" }).click();
    await page.getByTestId("phone-account-chat").getByText("Open 7 am – 7 pm every day").waitFor();
    await page.getByTestId("phone-account-input").fill("Two flat whites at nine?");
    await page.getByTestId("phone-account-input").press("Enter");
    await page.getByTestId("phone-account-chat").getByText("Two flat whites at nine?").waitFor();
    await page.getByTestId("phone-account-chat").getByText("A barista will answer soon.").last().waitFor();
    await phone.screenshot("28-phone-official-chat");

    // Crag Daily's profile: its history; Bob shares an article with Alice, her desktop gets it.
    await page.goto(`${server.url}/m/`);
    await page.getByTestId("tab-contacts").click();
    await page.getByTestId("phone-official-entry").click();
    await page.locator('[data-testid="phone-official-row"][data-name="Crag Daily"]').click();
    await page.locator('[data-testid="phone-history-article"][data-title="Rope care: when to retire a rope"]').click();
    await page.getByTestId("phone-reader").getByText("core shot").waitFor();
    await page.getByTestId("phone-share-article").click();
    await page.locator('[data-testid="phone-share-chat"][data-title="Alice"]').waitFor();
    await phone.screenshot("28a-phone-share-sheet");
    await page.locator('[data-testid="phone-share-chat"][data-title="Alice"]').click();
    await page.getByTestId("phone-share-note").filter({ hasText: "Sent to Alice." }).waitFor();
    await (await desktop.find("rail-chats")).click();
    await (await desktop.driver.findElement(By.css('[data-testid="chat-row"][data-title="Bob"]'))).click();
    const shared = By.css('[data-testid="article-bubble"][data-title="Rope care: when to retire a rope"]');
    await desktop.driver.wait(async () => (await count(shared)) === 1, 20_000, "Bob's shared article on Alice's desktop");

    // Unfollowing: the profile offers Follow again and the account leaves Bob's list.
    await page.goBack();
    await page.getByTestId("phone-unfollow").click();
    await page.getByTestId("phone-follow").waitFor();
    await page.goto(`${server.url}/m/`);
    await page.getByTestId("tab-contacts").click();
    await page.getByTestId("phone-official-entry").click();
    await page.locator('[data-testid="phone-official-row"][data-name="Summit Coffee"]').waitFor();
    assert.equal(await page.locator('[data-testid="phone-official-row"][data-name="Crag Daily"]').count(), 0);
  });
});
