// The packages as a user meets them: `cargo xtask test` builds and installs them, starts the
// installed server the way its systemd unit does, and runs this against it with the installed
// desktop app (the command its menu entry runs). A phone signs up on the installed server's own
// companion and signs the desktop in by QR.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { phoneSignUp, signInDesktop, startDesktop, startPhone } from "./harness.mjs";

const server = process.env.XIN_E2E_INSTALLED_SERVER;

describe("the installed app and server", { skip: !server && "run by `cargo xtask test` after it installs the packages" }, () => {
  let desktop, phone;

  before(async () => {
    desktop = await startDesktop(server);
    phone = await startPhone();
  });

  after(async () => {
    await phone?.stop();
    await desktop?.stop();
  });

  test("a phone signs up on the installed server and signs the installed app in by QR", async () => {
    assert.equal(process.env.XIN_DESKTOP_BIN, "/usr/bin/xin", "the installed app, not the build tree's");
    await phoneSignUp(phone.page, server, "ines", "13800000031");
    await signInDesktop(desktop, phone.page);
    await desktop.find("main-window");
    await desktop.screenshot("120-installed-app-signed-in");
  });
});
