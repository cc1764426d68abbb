import { useEffect, useState } from "react";
import type { Article, ArticleCard, Broadcast, ChatSummary } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { relativeTime } from "../shared/format";
import { errorText, ipc, mediaUrl } from "./ipc";
import { formatDateTime, useT } from "../shared/i18n";

/** The server sanitised the body; its pictures name Xin blobs, shown through the media path. */
export function readerHtml(body: string): string {
  return body.replace(/src="xin-blob:([0-9a-f]{64})"/g, (_, hash: string) => `src="${mediaUrl(hash)}"`);
}

/** A broadcast's articles: the first as a large card with its digest, the rest as rows. */
export function ArticleCards({ articles, onOpen }: { articles: ArticleCard[]; onOpen: (id: string) => void }) {
  return (
    <>
      {articles.map((a, i) => (
        <button key={a.id} className={i === 0 ? "article-card lead" : "article-card"} onClick={() => onOpen(a.id)} data-testid="article-card" data-title={a.title}>
          {a.cover && <img src={mediaUrl(a.cover)} alt="" />}
          <span className="article-card-text">
            <b>{a.title}</b>
            {i === 0 && a.digest && <small>{a.digest}</small>}
          </span>
        </button>
      ))}
    </>
  );
}

/** "Subscriptions": broadcasts from the accounts I follow, newest first, and the reader. */
export function Subscriptions({ broadcasts }: { broadcasts: Broadcast[] }) {
  const t = useT();
  const [open, setOpen] = useState<string | null>(null);
  if (open) return <Reader id={open} onBack={() => setOpen(null)} />;
  return (
    <section className="content-pane subscriptions" data-testid="subscriptions">
      <header className="content-header">{t("Subscriptions")}</header>
      <div className="subscriptions-scroll">
        {broadcasts.length === 0 && <p className="list-empty">{t("Articles from accounts you follow show here.")}</p>}
        {broadcasts.map((b) => (
          <article key={b.id} className="broadcast" data-testid="broadcast">
            <div className="broadcast-head">
              <Avatar user={{ display_name: b.account_name, avatar_hue: b.account_hue }} picture={b.account_avatar && mediaUrl(b.account_avatar)} size={28} />
              <b>{b.account_name}</b>
              <span className="muted-label">{relativeTime(b.sent_at)}</span>
            </div>
            <ArticleCards articles={b.articles} onOpen={setOpen} />
          </article>
        ))}
      </div>
    </section>
  );
}

export function Reader({ id, onBack, backLabel = "Subscriptions" }: { id: string; onBack: () => void; backLabel?: string }) {
  const t = useT();
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    ipc.article(id).then(setArticle, (e) => setError(errorText(e)));
  }, [id]);
  const [sharing, setSharing] = useState(false);
  const [note, setNote] = useState("");
  const react = (liked: boolean, wowed: boolean) => ipc.reactArticle(id, { liked, wowed }).then(setArticle, (e) => setError(errorText(e)));
  return (
    <section className="content-pane reader" data-testid="reader">
      <header className="content-header">
        <button className="link-button" onClick={onBack} data-testid="reader-back">
          ‹ {backLabel}
        </button>
      </header>
      <div className="reader-scroll">
        {error && <p className="error-text">{error}</p>}
        {article && (
          <div className="reader-page">
            <h1 data-testid="reader-title">{article.title}</h1>
            <div className="reader-byline">
              {article.author && <span>{article.author}</span>}
              <b>{article.account_name}</b>
              <span>{formatDateTime(article.created_at, { dateStyle: "medium" })}</span>
            </div>
            {article.cover && <img className="reader-cover" src={mediaUrl(article.cover)} alt="" />}
            <div className="reader-body" data-testid="reader-body" dangerouslySetInnerHTML={{ __html: readerHtml(article.body_html) }} />
            <div className="reader-foot">
              {article.source_url && (
                <button className="link-button" onClick={() => ipc.openLink(article.source_url!).catch((e) => setError(errorText(e)))}>
                  {t("Read original")}
                </button>
              )}
              <span className="muted-label" data-testid="reader-reads">
                {t("Reads {{n}}", { n: article.reads })}
              </span>
              <button className={article.liked ? "reader-react on" : "reader-react"} onClick={() => react(!article.liked, article.wowed)} data-testid="reader-like">
                👍 {article.likes}
              </button>
              <button className={article.wowed ? "reader-react on" : "reader-react"} onClick={() => react(article.liked, !article.wowed)} data-testid="reader-wow">
                ✨ {t("Wow")} {article.wows}
              </button>
              <button className="reader-react" onClick={() => setSharing(true)} data-testid="reader-share">
                ↗ {t("Share")}
              </button>
            </div>
            {note && <p className="muted-label" role="status" data-testid="reader-shared">{note}</p>}
          </div>
        )}
      </div>
      {sharing && article && (
        <ShareTo
          onClose={() => setSharing(false)}
          onChoose={(c) => {
            setSharing(false);
            ipc.shareArticle(c.conversation.id, article).then(() => setNote(t("Shared to {{v0}}.", { v0: c.conversation.title })), (e) => setError(errorText(e)));
          }}
        />
      )}
    </section>
  );
}

/** Pick the chat to share into. */
export function ShareTo({ onClose, onChoose }: { onClose: () => void; onChoose: (c: ChatSummary) => void }) {
  const t = useT();
  const [chats, setChats] = useState<ChatSummary[]>([]);
  useEffect(() => {
    ipc.chats().then(setChats, () => setChats([]));
  }, []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label={t("Share to")} onClick={(e) => e.stopPropagation()} data-testid="share-to">
        <h3>{t("Share to")}</h3>
        {chats.map((c) => (
          <button key={c.conversation.id} className="chat-row slim" onClick={() => onChoose(c)} data-testid="share-chat" data-title={c.conversation.title}>
            <span className="chat-title">{c.conversation.title}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
