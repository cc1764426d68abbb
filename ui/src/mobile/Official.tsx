import { useEffect, useState } from "react";
import type { Article, Broadcast, BroadcastList, OfficialAccount, ScannedOfficialQr } from "../bindings";
import { followers } from "../shared/format";
import { authed, blobUrl, errorMessage } from "./api";
import { AccountAvatar, ShareArticle } from "./OfficialAccounts";
import { Page } from "./Page";
import { go } from "./router";
import { useT } from "../shared/i18n";

/** Where a scanned account code lands: the account, and Follow (through the code, so its
 *  scene is reported to the account). */
export function FollowByCode({ code }: { code: string }) {
  const t = useT();
  const [scanned, setScanned] = useState<ScannedOfficialQr | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    authed<ScannedOfficialQr>("GET", `/official-qr/${encodeURIComponent(code)}`).then(setScanned, (e) => setError(errorMessage(e)));
  }, [code]);
  const follow = (a: OfficialAccount) =>
    authed<OfficialAccount>("PUT", `/official-accounts/${a.id}/follow`, { code }).then(
      (next) => setScanned((s) => s && { ...s, account: next }),
      (e) => setError(errorMessage(e)),
    );
  const a = scanned?.account;
  return (
    <Page title={t("Official account")} back={() => go("/")} className="confirm" testid="follow-by-code">
        {error && (
          <p className="pay-error" role="alert">
            {error}
          </p>
        )}
        {a && (
          <>
            <AccountAvatar a={a} size={72} />
            <h2>{a.name}</h2>
            <p className="muted">
              {a.kind === "subscription" ? t("Subscription account") : t("Service account")} · {followers(a.followers)}
            </p>
            {a.intro && <p>{a.intro}</p>}
            {a.following ? (
              <>
                <p className="muted" role="status" data-testid="follow-done">
                  {t("You follow {{name}}.", { name: a.name })}
                </p>
                <button className="primary" onClick={() => go(`/account/${a.id}`)}>
                  {t("View account")}
                </button>
              </>
            ) : (
              <button className="primary" onClick={() => void follow(a)} data-testid="follow-account">
                {t("Follow")}
              </button>
            )}
          </>
        )}
    </Page>
  );
}

/** "Subscriptions": what the accounts I follow broadcast, newest first. */
export function SubscriptionsPage({ tick }: { tick: number }) {
  const t = useT();
  const [broadcasts, setBroadcasts] = useState<Broadcast[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    authed<BroadcastList>("GET", "/subscriptions").then((l) => setBroadcasts(l.broadcasts), (e) => setError(errorMessage(e)));
  }, [tick]);
  return (
    <Page title={t("Subscriptions")} back={() => go("/")} testid="phone-subscriptions">
        {error && <p className="pay-error">{error}</p>}
        {broadcasts?.length === 0 && <p className="empty">{t("Articles from accounts you follow show here.")}</p>}
        {broadcasts?.map((b) => (
          <section key={b.id} className="card phone-broadcast">
            <div className="muted">{b.account_name}</div>
            {b.articles.map((a, i) => (
              <button key={a.id} className={i === 0 ? "phone-article-card lead" : "phone-article-card"} onClick={() => go(`/article/${a.id}`)} data-testid="phone-article-card" data-title={a.title}>
                {a.cover && <img src={blobUrl(a.cover)} alt="" />}
                <span>{a.title}</span>
              </button>
            ))}
          </section>
        ))}
    </Page>
  );
}

/** An article: the server's sanitised body, its pictures through the blob path. */
export function ArticlePage({ id }: { id: string }) {
  const t = useT();
  const [article, setArticle] = useState<Article | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    authed<Article>("GET", `/articles/${id}`).then(setArticle, (e) => setError(errorMessage(e)));
  }, [id]);
  const [sharing, setSharing] = useState(false);
  const [note, setNote] = useState("");
  const react = (liked: boolean, wowed: boolean) => authed<Article>("PUT", `/articles/${id}/reaction`, { liked, wowed }).then(setArticle, (e) => setError(errorMessage(e)));
  return (
    <Page title={article?.account_name ?? ""} back={() => history.back()} className="phone-reader" testid="phone-reader">
        {error && <p className="pay-error">{error}</p>}
        {article && (
          <article>
            <h1>{article.title}</h1>
            <p className="muted">
              {[article.author, article.account_name].filter(Boolean).join(" · ")}
            </p>
            <div className="phone-reader-body" dangerouslySetInnerHTML={{ __html: article.body_html.replace(/src="xin-blob:([0-9a-f]{64})"/g, (_, h: string) => `src="${blobUrl(h)}"`) }} />
            <div className="phone-reader-foot">
              <span className="muted">{t("Reads {{n}}", { n: article.reads })}</span>
              <button className={article.liked ? "on" : ""} onClick={() => void react(!article.liked, article.wowed)} data-testid="phone-reader-like">
                👍 {article.likes}
              </button>
              <button className={article.wowed ? "on" : ""} onClick={() => void react(article.liked, !article.wowed)}>
                ✨ {article.wows}
              </button>
              <button className="share-button" onClick={() => setSharing(true)} data-testid="phone-share-article">
                {t("Share")}
              </button>
            </div>
            {note && (
              <p className="muted center" role="status" data-testid="phone-share-note">
                {note}
              </p>
            )}
            {sharing && (
              <ShareArticle
                article={{ id: article.id, title: article.title, cover: article.cover, account_name: article.account_name }}
                onDone={(n) => {
                  setSharing(false);
                  setNote(n);
                }}
              />
            )}
          </article>
        )}
    </Page>
  );
}
