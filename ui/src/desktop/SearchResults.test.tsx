import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Highlight } from "./SearchResults";

const html = (text: string, q: string) => renderToStaticMarkup(<Highlight text={text} q={q} />);

describe("Highlight", () => {
  it("marks every match, whatever the case", () => {
    expect(html("Hello hello HELLO", "hello")).toBe("<mark>Hello</mark> <mark>hello</mark> <mark>HELLO</mark>");
  });
  it("marks one or two Chinese characters inside a run", () => {
    expect(html("周末去阳朔攀岩吗？", "攀岩")).toBe("周末去阳朔<mark>攀岩</mark>吗？");
    expect(html("天天好天气", "天")).toBe("<mark>天</mark><mark>天</mark>好<mark>天</mark>气");
  });
  it("leaves text without a match as it is", () => {
    expect(html("nothing here", "zz")).toBe("nothing here");
    expect(html("<b>", "")).toBe("&lt;b&gt;");
  });
});
