import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** Attributes a person reads or hears (a screen reader reads labels and alt text). */
const READ_ATTRIBUTES = new Set(["title", "placeholder", "aria-label", "alt", "label"]);

/** Words that are the same in every language: the product's name, file and field names shown as
 *  code, example values in placeholders. */
const SAME_IN_EVERY_LANGUAGE = /\bXin\b|https?:\/\/\S+|\/api\/v1\/\S+|\bapp\.json\b|\border_paid\b|\bposter-7\b/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".tsx") && !name.includes(".test.") ? [path] : [];
  });
}

function english(text: string): boolean {
  return /[A-Za-z]{2,}/.test(text.replace(SAME_IN_EVERY_LANGUAGE, ""));
}

/** The literal words of a string or template literal (not what is interpolated into it). */
function literalWords(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
  return null;
}

/** Literals an expression shows as it is: itself, either branch of `a ? b : c`, the right of `&&`/`||`/`??`. */
function shownLiterals(node: ts.Expression): ts.Node[] {
  if (ts.isParenthesizedExpression(node)) return shownLiterals(node.expression);
  if (ts.isConditionalExpression(node)) return [...shownLiterals(node.whenTrue), ...shownLiterals(node.whenFalse)];
  if (ts.isBinaryExpression(node) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(node.operatorToken.kind))
    return shownLiterals(node.right);
  return literalWords(node) === null ? [] : [node];
}

/** Words shown to people in the UI's markup that do not go through `t()`. */
function untranslated(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const flag = (node: ts.Node, text: string) => {
    if (english(text)) found.push(`${relative(join(__dirname, ".."), path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${text.trim()}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) flag(node, node.text);
    else if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText()) && node.initializer) {
      const init = node.initializer;
      const shown = ts.isJsxExpression(init) ? (init.expression ? shownLiterals(init.expression) : []) : [init];
      for (const lit of shown) flag(lit, literalWords(lit) ?? "");
    } else if (ts.isJsxExpression(node) && node.expression && ts.isJsxElement(node.parent)) {
      for (const lit of shownLiterals(node.expression)) flag(lit, literalWords(lit) ?? "");
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("languages", () => {
  it("shows no English words in the markup outside t()", () => {
    const files = sources(join(__dirname, ".."));
    expect(files.length).toBeGreaterThan(30);
    expect(files.flatMap(untranslated)).toEqual([]);
  });
});
