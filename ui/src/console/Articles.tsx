import { useEffect, useRef, useState } from "react";
import type { Article, Broadcast, FollowerList, OfficialAccount } from "../bindings";
import { followers } from "../shared/format";
import { authed, blobUrl, errorMessage, stored } from "../mobile/api";
import { uploadBlob } from "../mobile/upload";
import { editorHtml } from "./editorHtml";
import { useT } from "../shared/i18n";

/** The editor: a rich text area (bold, heading, list, link, picture) and its preview. */
export function Writer({ account, onSaved }: { account: OfficialAccount; onSaved: () => void }) {
  const t = useT();
  const [title, setTitle] = useState("");
  const [author, setAuthor] = useState(stored()?.user.display_name ?? "");
  const [digest, setDigest] = useState("");
  const [cover, setCover] = useState<{ hash: string; url: string } | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const body = useRef<HTMLDivElement>(null);
  const picture = useRef<HTMLInputElement>(null);
  const upload = async (f: File) => ({ hash: (await uploadBlob(f, f.name, () => {})).hash, url: URL.createObjectURL(f) });
  const command = (name: string, value?: string) => {
    body.current?.focus();
    document.execCommand(name, false, value);
  };
  const save = () => {
    setBusy(true);
    setError("");
    authed<Article>("POST", `/official-accounts/${account.id}/articles`, { title, author, digest, cover: cover?.hash, body_html: editorHtml(body.current?.innerHTML ?? "") }).then(onSaved, (e) => {
      setBusy(false);
      setError(errorMessage(e));
    });
  };
  return (
    <div className="writer" data-testid="writer">
      <input className="writer-title" placeholder={t("Title")} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={64} data-testid="writer-title" />
      <div className="writer-meta">
        <input placeholder={t("Author")} value={author} onChange={(e) => setAuthor(e.target.value)} maxLength={30} />
        <input placeholder={t("Digest (shown on the card)")} value={digest} onChange={(e) => setDigest(e.target.value)} maxLength={120} data-testid="writer-digest" />
        <label className="file-button">
          {cover ? <img src={cover.url} alt={t("Cover")} /> : t("Cover picture")}
          <input type="file" accept="image/*" hidden onChange={(e) => e.target.files?.[0] && upload(e.target.files[0]).then(setCover, (err) => setError(errorMessage(err)))} data-testid="writer-cover" />
        </label>
      </div>
      <div className="writer-tools">
        <button onClick={() => command("bold")} aria-label={t("Bold")}>
          <b>B</b>
        </button>
        <button onClick={() => command("italic")} aria-label={t("Italic")}>
          <i>I</i>
        </button>
        <button onClick={() => command("formatBlock", "h2")} aria-label={t("Heading")}>
          H
        </button>
        <button onClick={() => command("insertUnorderedList")} aria-label={t("List")}>
          •
        </button>
        <button
          onClick={() => {
            const url = window.prompt("Link to (https://…)");
            if (url) command("createLink", url);
          }}
          aria-label={t("Link")}
        >
          🔗
        </button>
        <button onClick={() => picture.current?.click()} aria-label={t("Picture")} data-testid="writer-picture-button">
          🖼
        </button>
        <input
          ref={picture}
          type="file"
          accept="image/*"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            upload(f).then(
              (p) => command("insertHTML", `<img src="${p.url}" data-blob="${p.hash}" alt="">`),
              (err) => setError(errorMessage(err)),
            );
          }}
          data-testid="writer-picture"
        />
        <span className="spacer" />
        <button onClick={() => setPreview(preview === null ? (body.current?.innerHTML ?? "") : null)} data-testid="writer-preview">
          {preview === null ? t("Preview") : t("Edit")}
        </button>
      </div>
      <div className="writer-body" ref={body} contentEditable suppressContentEditableWarning hidden={preview !== null} data-testid="writer-body" />
      {preview !== null && (
        <article className="article-preview" data-testid="writer-preview-pane">
          <h1>{title}</h1>
          <small>
            {author} · {account.name}
          </small>
          {cover && <img className="cover" src={cover.url} alt="" />}
          <div dangerouslySetInnerHTML={{ __html: preview }} />
        </article>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" disabled={busy || !title.trim()} onClick={save} data-testid="writer-save">
        {t("Save article")}
      </button>
    </div>
  );
}

/** Every article with its reads, likes and Wows; tick up to eight and broadcast them. */
export function Articles({ account, articles, onSent }: { account: OfficialAccount; articles: Article[]; onSent: () => void }) {
  const t = useT();
  const [chosen, setChosen] = useState<string[]>([]);
  const [tag, setTag] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const [open, setOpen] = useState<Article | null>(null);
  const [tags, setTags] = useState<string[]>([]);
  useEffect(() => {
    authed<FollowerList>("GET", `/official-accounts/${account.id}/followers`).then((l) => setTags(l.tags), () => setTags([]));
  }, [account.id]);
  const send = () => {
    setError("");
    setNote("");
    authed<Broadcast>("POST", `/official-accounts/${account.id}/broadcasts`, { articles: chosen, tag: tag.trim() || undefined }).then(
      (b) => {
        setNote(t("Sent to {{v0}}.", { v0: followers(b.delivered) }));
        setChosen([]);
        onSent();
      },
      (e) => setError(errorMessage(e)),
    );
  };
  return (
    <div className="articles">
      {articles.length === 0 && <p className="muted">{t("No articles yet: write one.")}</p>}
      <table>
        <tbody>
          {articles.map((a) => (
            <tr key={a.id} data-testid="console-article" data-title={a.title}>
              <td>
                <input type="checkbox" checked={chosen.includes(a.id)} disabled={!chosen.includes(a.id) && chosen.length >= 8} onChange={() => setChosen(chosen.includes(a.id) ? chosen.filter((x) => x !== a.id) : [...chosen, a.id])} aria-label={t("Choose {{v0}}", { v0: a.title })} />
              </td>
              <td>
                <button className="link" onClick={() => setOpen(a)}>
                  {a.title}
                </button>
              </td>
              <td className="num" data-testid="article-reads">{t("{{n}} reads", { n: a.reads })}</td>
              <td className="num">{a.likes} 👍</td>
              <td className="num">{a.wows} ✨</td>
            </tr>
          ))}
        </tbody>
      </table>
      {articles.length > 0 && (
        <div className="broadcast-bar">
          <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label={t("Who receives it")} data-testid="broadcast-tag">
            <option value="">{t("All followers")}</option>
            {tags.map((tag) => (
              <option key={tag} value={tag}>
                {t("Followers tagged “{{tag}}”", { tag })}
              </option>
            ))}
          </select>
          <button className="primary" disabled={chosen.length === 0} onClick={send} data-testid="console-broadcast">
            {chosen.length ? t("Send {{n}} to followers", { n: chosen.length }) : t("Send to followers")}
          </button>
        </div>
      )}
      {note && <p className="note" role="status" data-testid="console-sent">{note}</p>}
      {error && <p className="error" role="alert" data-testid="console-error">{error}</p>}
      {open && (
        <div className="backdrop" onClick={() => setOpen(null)}>
          <article className="article-preview" onClick={(e) => e.stopPropagation()} data-testid="console-article-view">
            <h1>{open.title}</h1>
            <small>
              {open.author} · {open.account_name}
            </small>
            <div dangerouslySetInnerHTML={{ __html: open.body_html.replace(/src="xin-blob:([0-9a-f]{64})"/g, (_, h: string) => `src="${blobUrl(h)}"`) }} />
          </article>
        </div>
      )}
    </div>
  );
}
