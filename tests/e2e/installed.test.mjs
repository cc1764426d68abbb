// The packages as a user meets them: `cargo xtask test` builds and installs them, starts the
// installed server the way its systemd unit does, and runs this against it with the installed
// desktop app (the command its menu entry runs). A friend's `xin://` card link is what starts
// the app, as a browser would start it through the menu entry's `Exec=xin %u`; on this first
// run it asks for the server, a phone signs up on the installed server's own companion and
// signs the desktop in by QR, and then the card opens.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Key } from "selenium-webdriver";
import { phoneSignUp, signInDesktop, signUpByApi, startDesktop, startPhone } from "./harness.mjs";

const server = process.env.XIN_E2E_INSTALLED_SERVER;

describe("the installed app and server", { skip: !server && "run by `cargo xtask test` after it installs the packages" }, () => {
  let desktop, phone;

  before(async () => {
    await signUpByApi(server, "jonas", "13800000032");
    desktop = await startDesktop(null, {}, ["xin://user/jonas"]);
    phone = await startPhone();
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
  });

  test("started by a card link, the installed app asks for its server, signs in by QR and opens the card", async () => {
    assert.equal(process.env.XIN_DESKTOP_BIN, "/usr/bin/xin", "the installed app, not the build tree's");
    await desktop.find("server-prompt");
    await (await desktop.find("server-address")).sendKeys(server, Key.ENTER);
    await phoneSignUp(phone.page, server, "ines", "13800000031");
    await signInDesktop(desktop, phone.page);
    await desktop.find("main-window");
    await desktop.find("add-friend-send");
    assert.equal(await (await desktop.find("add-friend-query")).getAttribute("value"), "jonas");
    await desktop.screenshot("120-installed-app-signed-in");
  });
});
