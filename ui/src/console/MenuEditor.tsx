import { useEffect, useState } from "react";
import type { Article, Menu, MenuAction, MenuItem, MiniProgram, MiniProgramList, OfficialMenu, OfficialAccount } from "../bindings";
import { authed, errorMessage } from "../mobile/api";
import { useT } from "../shared/i18n";

/** The menu under the account's chat: up to 3 menus of up to 5 items, each answering a
 *  keyword, opening one of the account's articles or mini programs, or opening a web page. */
export function MenuEditor({ account, articles }: { account: OfficialAccount; articles: Article[] }) {
  const t = useT();
  const [menus, setMenus] = useState<Menu[] | null>(null);
  const [programs, setPrograms] = useState<MiniProgram[]>([]);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    authed<OfficialMenu>("GET", `/official-accounts/${account.id}/menu`).then((m) => setMenus(m.menus), (e) => setError(errorMessage(e)));
    authed<MiniProgramList>("GET", `/official-accounts/${account.id}/mini-programs`).then((l) => setPrograms(l.mini_programs), () => {});
  }, [account.id]);
  if (!menus) return error ? <p className="error">{error}</p> : <p className="muted">{t("Loading…")}</p>;
  const setMenu = (i: number, m: Menu) => setMenus(menus.map((x, j) => (j === i ? m : x)));
  const setItem = (i: number, k: number, item: MenuItem) => setMenu(i, { ...menus[i]!, items: menus[i]!.items.map((x, j) => (j === k ? item : x)) });
  const blank = (type: MenuAction["type"]): MenuAction =>
    type === "keyword" ? { type, keyword: "" } : type === "link" ? { type, url: "https://" } : type === "mini_program" ? { type, mini_program_id: programs[0]?.id ?? "" } : { type: "article", article_id: articles[0]?.id ?? "" };
  const save = () => {
    setNote("");
    setError("");
    authed<void>("PUT", `/official-accounts/${account.id}/menu`, { menus }).then(() => setNote(t("Saved: followers see it under the chat.")), (e) => setError(errorMessage(e)));
  };
  return (
    <div className="menu-editor" data-testid="menu-editor">
      {menus.map((m, i) => (
        <div key={i} className="menu-block">
          <div className="menu-head">
            <input value={m.name} onChange={(e) => setMenu(i, { ...m, name: e.target.value })} maxLength={16} placeholder={t("Menu name")} aria-label={t("Menu name")} data-testid="menu-name" />
            <button onClick={() => setMenus(menus.filter((_, j) => j !== i))}>{t("Remove")}</button>
          </div>
          {m.items.map((item, k) => (
            <div key={k} className="menu-item">
              <input value={item.name} onChange={(e) => setItem(i, k, { ...item, name: e.target.value })} maxLength={16} placeholder={t("Item")} aria-label={t("Item name")} data-testid="menu-item-name" />
              <select value={item.action.type} onChange={(e) => setItem(i, k, { ...item, action: blank(e.target.value as MenuAction["type"]) })} aria-label={t("Does")} data-testid="menu-item-type">
                <option value="keyword">{t("Answers a keyword")}</option>
                <option value="article" disabled={articles.length === 0}>
                  {t("Opens an article")}
                </option>
                <option value="link">{t("Opens a web page")}</option>
                <option value="mini_program" disabled={programs.length === 0}>
                  {t("Opens a mini program")}
                </option>
              </select>
              {item.action.type === "keyword" && (
                <input value={item.action.keyword} onChange={(e) => setItem(i, k, { ...item, action: { type: "keyword", keyword: e.target.value } })} maxLength={30} placeholder={t("keyword")} aria-label={t("Keyword")} data-testid="menu-item-keyword" />
              )}
              {item.action.type === "link" && <input value={item.action.url} onChange={(e) => setItem(i, k, { ...item, action: { type: "link", url: e.target.value } })} aria-label={t("Address")} />}
              {item.action.type === "mini_program" && (
                <select value={item.action.mini_program_id} onChange={(e) => setItem(i, k, { ...item, action: { type: "mini_program", mini_program_id: e.target.value } })} aria-label={t("Mini program")}>
                  {programs.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
              {item.action.type === "article" && (
                <select value={item.action.article_id} onChange={(e) => setItem(i, k, { ...item, action: { type: "article", article_id: e.target.value } })} aria-label={t("Article")}>
                  {articles.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.title}
                    </option>
                  ))}
                </select>
              )}
              <button onClick={() => setMenu(i, { ...m, items: m.items.filter((_, j) => j !== k) })} aria-label={t("Remove item")}>
                ✕
              </button>
            </div>
          ))}
          {m.items.length < 5 && (
            <button className="link" onClick={() => setMenu(i, { ...m, items: [...m.items, { name: "", action: blank("keyword") }] })} data-testid="menu-add-item">
              + {t("Item")}
            </button>
          )}
        </div>
      ))}
      {menus.length < 3 && (
        <button className="new-account" onClick={() => setMenus([...menus, { name: "", items: [{ name: "", action: blank("keyword") }] }])} data-testid="menu-add">
          + {t("Menu")}
        </button>
      )}
      {note && <p className="note">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" onClick={save} data-testid="menu-save">
        {t("Save menu")}
      </button>
    </div>
  );
}
