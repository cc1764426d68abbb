import { describe, expect, it } from "vitest";
import { editorHtml } from "./editorHtml";

const HASH = "ab".repeat(32);

describe("editorHtml", () => {
  it("turns uploaded pictures into blob references and drops remote ones", () => {
    const html = `<p>Hi <b>there</b></p><img src="blob:http://x/1" data-blob="${HASH}" alt="Topo"><img src="https://evil.example/t.gif">`;
    expect(editorHtml(html)).toBe(`<p>Hi <b>there</b></p><img src="xin-blob:${HASH}" alt="Topo">`);
  });

  it("leaves text alone", () => {
    expect(editorHtml("<h2>Routes</h2><ul><li>One</li></ul>")).toBe("<h2>Routes</h2><ul><li>One</li></ul>");
  });
});
