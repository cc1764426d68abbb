// A first run and `xin://` links, end to end: the app started with no server asks for one,
// refuses what is not a Xin server, and connects to the one typed; a link opened while signed
// out waits for the login; later links are handed over by a second launch, as a browser starts
// one, and open a card (someone to add, or a friend's profile) or a chat.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Key } from "selenium-webdriver";
import { freePort, phoneSignUp, signInDesktop, signUpByApi, startDesktop, startPhone, startServer, waitFor } from "./harness.mjs";

describe("a first run and xin:// links", () => {
  let server, desktop, phone, bob;

  before(async () => {
    server = await startServer();
    desktop = await startDesktop(null);
    phone = await startPhone();
    bob = await signUpByApi(server.url, "bob", "13800000052");
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
    await server?.stop();
  });

  const address = async () => desktop.find("server-address");
  const connect = async (typed) => {
    const field = await address();
    await field.clear();
    await field.sendKeys(typed, Key.ENTER);
  };
  const errorShown = async () =>
    waitFor("the prompt's error", async () => {
      const els = await desktop.driver.findElements({ css: '[data-testid="server-error"]' });
      return els.length ? els[0].getText() : null;
    });

  test("with no server named, the app asks for one and refuses what is not a Xin server", async () => {
    await desktop.find("server-prompt");
    await desktop.screenshot("130-first-run-server-prompt");
    assert.equal((await desktop.driver.findElements({ css: '[data-testid="login-qr"]' })).length, 0, "no QR before a server is chosen");

    await connect("ftp://files.example.org");
    assert.match(await errorShown(), /http:\/\/ or https:\/\//);

    // A port nothing listens on: named, and the prompt stays.
    const closed = await freePort();
    await connect(`http://127.0.0.1:${closed}`);
    await waitFor("the unreachable error", async () => (await errorShown()).includes(`127.0.0.1:${closed}`));
    await desktop.find("server-prompt");
  });

  test("an address typed without http:// connects, and the footer can change it", async () => {
    // No scheme: https is tried first (nothing answers it here), then http.
    await connect(server.url.replace("http://", ""));
    await desktop.find("login-qr");
    const footer = await desktop.find("login-server");
    await desktop.screenshot("130b-first-run-qr");
    assert.match(await footer.getText(), new RegExp(server.url.replace("http://", "").replace(/\./g, "\\.")));

    await (await desktop.find("login-change-server")).click();
    assert.equal(await (await address()).getAttribute("value"), server.url, "the prompt shows the server in use");
    await desktop.screenshot("131-change-server");
    await (await desktop.driver.findElement({ xpath: "//form[@data-testid='server-prompt']//button[@type='button']" })).click();
    await desktop.find("login-qr");
  });

  test("a card link opened before login waits for it, then offers to add the person", async () => {
    // Bob's friend card opened in a browser, signed out: it offers the desktop app.
    await phone.page.goto(`${server.url}/m/u/bob`);
    await phone.page.getByTestId("auth-card").waitFor();
    assert.equal(await phone.page.getByTestId("open-on-desktop").getAttribute("href"), "xin://user/bob");
    await phone.screenshot("132a-card-offers-the-desktop");
    // What the browser starts for that link.
    assert.equal(await desktop.openLink("xin://user/bob"), 0, "the second launch hands the link over and ends");
    await phoneSignUp(phone.page, server.url, "alice", "13800000051");
    await signInDesktop(desktop, phone.page);

    await desktop.find("add-friend-send");
    assert.equal(await (await desktop.find("add-friend-query")).getAttribute("value"), "bob");
    const found = await desktop.driver.findElement({ css: ".add-friend .device-name" });
    assert.equal(await found.getText(), "Bob");
    await desktop.screenshot("132-link-add-friend");
  });

  test("a friend's card link opens their profile, a chat link the chat, and a bad link nothing", async () => {
    await (await desktop.find("add-friend-send")).click();
    // Bob accepts through the API, as his phone would.
    const auth = { authorization: `Bearer ${bob.access}`, "content-type": "application/json" };
    const list = await (await fetch(`${server.url}/api/v1/contacts`, { headers: auth })).json();
    const request = list.requests.find((r) => r.to.id === bob.id && r.state === "pending");
    assert.ok(request, "Bob has Alice's request");
    const answered = await fetch(`${server.url}/api/v1/friend-requests/${request.id}/answer`, { method: "POST", headers: auth, body: JSON.stringify({ accept: true }) });
    assert.equal(answered.status, 200);
    await waitFor("Bob in Alice's contacts", async () => (await desktop.invoke("contacts")).contacts.some((c) => c.user.handle === "bob"));

    // Away from Contacts first, so the link has to bring the profile back.
    await (await desktop.find("rail-moments")).click();
    assert.equal(await desktop.openLink("xin://user/bob"), 0);
    const profile = await desktop.find("profile");
    assert.match(await profile.getText(), /Bob/);
    await desktop.screenshot("133-link-friend-profile");

    const chat = await desktop.invoke("open_direct", { user: bob.id });
    await (await desktop.find("rail-moments")).click();
    assert.equal(await desktop.openLink(`xin://chat/${chat.id}`), 0);
    await desktop.find("conversation");
    assert.equal(await (await desktop.find("rail-chats")).getAttribute("aria-current"), "true");

    // A chat of someone else's: said so, and nothing else moves.
    assert.equal(await desktop.openLink("xin://chat/0190a0c4-0000-7000-8000-000000000000"), 0);
    const note = await desktop.find("link-note");
    assert.match(await note.getText(), /not in this account/);
    await desktop.screenshot("134-link-unknown-chat");

    // What is no Xin link is not opened, and the app carries on.
    assert.equal(await desktop.openLink("xin://wallet/pay?amount=100"), 0);
    await desktop.find("conversation");
  });
});
