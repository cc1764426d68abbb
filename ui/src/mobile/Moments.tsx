import { useEffect, useRef, useState } from "react";
import type { Contact, ContactList, MomentComment, Post, PostPage, Visibility } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { CommentText, likesLine } from "../shared/moments";
import { relativeTime } from "../shared/format";
import { Icon } from "../shared/icons";
import { authed, blobUrl, errorMessage, freshLink, stored } from "./api";
import { go } from "./router";
import { uploadBlob } from "./upload";
import { useT } from "../shared/i18n";

/** The Moments feed: my posts and my friends', newest first, with likes and comments. */
export function MomentsPage({ tick }: { tick: number }) {
  const t = useT();
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [error, setError] = useState("");
  const load = () =>
    authed<PostPage>("GET", "/moments").then(
      (p) => setPosts(p.posts),
      (e) => setError(errorMessage(e)),
    );
  useEffect(() => {
    void load();
  }, [tick]);
  const replace = (p: Post) => setPosts((all) => all?.map((x) => (x.id === p.id ? p : x)) ?? null);
  return (
    <div className="moments" data-testid="moments">
      <button className="moments-compose" onClick={() => go("/moments/new")} aria-label={t("Post")} data-testid="moments-compose">
        <Icon name="photo" size={22} />
      </button>
      {error && <p role="alert">{error}</p>}
      {posts?.length === 0 && <p className="empty">{t("No posts yet. Share a photo with your friends.")}</p>}
      {posts?.map((p) => <PostView key={p.id} post={p} onChange={replace} onDeleted={() => setPosts((all) => all?.filter((x) => x.id !== p.id) ?? null)} />)}
    </div>
  );
}

function PostView({ post, onChange, onDeleted }: { post: Post; onChange: (p: Post) => void; onDeleted: () => void }) {
  const t = useT();
  const me = stored()?.user.id;
  const liked = post.likes.some((l) => l.id === me);
  const [writing, setWriting] = useState(false);
  // The comment being answered, if a reply.
  const [replyTo, setReplyTo] = useState<MomentComment | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const like = () => authed<Post>(liked ? "DELETE" : "PUT", `/moments/${post.id}/like`).then(onChange, (e) => setError(errorMessage(e)));
  const send = () =>
    authed<Post>("POST", `/moments/${post.id}/comments`, { text, reply_to: replyTo?.id }).then(
      (p) => {
        onChange(p);
        setText("");
        setReplyTo(null);
        setWriting(false);
      },
      (e) => setError(errorMessage(e)),
    );
  return (
    <article className="post" data-testid="post" data-text={post.text}>
      <Avatar user={post.author} size={42} />
      <div className="post-body">
        <div className="post-author">{post.author.display_name}</div>
        {post.text && <div className="post-text">{post.text}</div>}
        {post.images.length > 0 && (
          <div className={post.images.length === 1 ? "post-images one" : "post-images"}>
            {post.images.map((h) => (
              <img key={h} src={blobUrl(h)} alt="" loading="lazy" onError={(e) => freshLink(e.currentTarget, h)} data-testid="post-image" />
            ))}
          </div>
        )}
        {post.link && (
          <a className="post-link" href={post.link.url} target="_blank" rel="noopener noreferrer" data-testid="post-link">
            {post.link.image ? <img src={blobUrl(post.link.image)} alt="" /> : <span className="post-link-icon">🔗</span>}
            <span>{post.link.title}</span>
          </a>
        )}
        <div className="post-meta">
          <span>
            {relativeTime(post.created_at)}
            {post.author.id === me && (
              <button className="post-delete" onClick={() => authed("DELETE", `/moments/${post.id}`).then(onDeleted, (e) => setError(errorMessage(e)))} data-testid="post-delete">
                {t("Delete")}
              </button>
            )}
          </span>
          <span className="post-actions">
            <button onClick={like} aria-label={liked ? t("Unlike") : t("Like")} data-testid="post-like" className={liked ? "liked" : ""}>
              ♥
            </button>
            <button
              onClick={() => {
                setReplyTo(null);
                setWriting(!writing);
              }}
              aria-label={t("Comment")}
              data-testid="post-comment"
            >
              💬
            </button>
          </span>
        </div>
        {(post.likes.length > 0 || post.comments.length > 0) && (
          <div className="post-social">
            {post.likes.length > 0 && (
              <div className="post-likes" data-testid="post-likes">
                {likesLine(post.likes)}
              </div>
            )}
            {post.comments.map((c) => (
              <div
                key={c.id}
                className="post-comment-line"
                onClick={() => {
                  if (c.author.id === me) return;
                  setReplyTo(c);
                  setWriting(true);
                }}
                data-testid="post-comment-line"
              >
                <CommentText c={c} />
                {(post.author.id === me || c.author.id === me) && (
                  <button
                    className="comment-delete"
                    aria-label={t("Delete comment")}
                    onClick={(e) => {
                      e.stopPropagation();
                      authed("DELETE", `/moments/${post.id}/comments/${c.id}`).then(() => onChange({ ...post, comments: post.comments.filter((x) => x.id !== c.id) }), (err) => setError(errorMessage(err)));
                    }}
                  >
                    ✕
                  </button>
                )}
              </div>
            ))}
          </div>
        )}
        {writing && (
          <form
            className="post-write"
            onSubmit={(e) => {
              e.preventDefault();
              if (text.trim()) void send();
            }}
          >
            <input autoFocus value={text} onChange={(e) => setText(e.target.value)} placeholder={replyTo ? t("Reply to {{v0}}", { v0: replyTo.author.display_name }) : t("Comment")} maxLength={500} aria-label={t("Comment")} data-testid="post-comment-input" />
            <button type="submit">{t("Send")}</button>
          </form>
        )}
        {error && <div className="pay-error">{error}</div>}
      </div>
    </article>
  );
}

/** Posting: words, up to nine photos, and who may see it. */
export function NewPostPage() {
  const t = useT();
  const [text, setText] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [visibility, setVisibility] = useState<Visibility>("all");
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [users, setUsers] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const picker = useRef<HTMLInputElement>(null);
  const previews = files.map((f) => URL.createObjectURL(f));
  const choosing = visibility === "only" || visibility === "except";
  useEffect(() => {
    authed<ContactList>("GET", "/contacts").then((l) => setContacts(l.contacts), () => {});
  }, []);
  useEffect(() => () => previews.forEach((u) => URL.revokeObjectURL(u)));
  const post = async () => {
    setBusy(true);
    setError("");
    try {
      const images: string[] = [];
      for (const f of files) images.push((await uploadBlob(f, f.name, () => {})).hash);
      await authed<Post>("POST", "/moments", { text, images, visibility, users: choosing ? users : [], tags: [] });
      go("/moments");
    } catch (e) {
      setBusy(false);
      setError(errorMessage(e));
    }
  };
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/moments")} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        {t("New post")}
      </header>
      <main className="page new-post" data-testid="new-post">
        <textarea value={text} onChange={(e) => setText(e.target.value)} placeholder={t("Say something…")} maxLength={2000} aria-label={t("Text")} data-testid="new-post-text" />
        <div className="post-images picking">
          {previews.map((u, i) => (
            <img key={u} src={u} alt="" onClick={() => setFiles(files.filter((_, j) => j !== i))} />
          ))}
          {files.length < 9 && (
            <button onClick={() => picker.current?.click()} aria-label={t("Add photos")} data-testid="new-post-photos">
              +
            </button>
          )}
        </div>
        <input ref={picker} type="file" accept="image/*" multiple hidden onChange={(e) => setFiles([...files, ...Array.from(e.target.files ?? [])].slice(0, 9))} data-testid="new-post-file" />
        <label className="card row audience-row">
          <span>{t("Who can see it")}</span>
          <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)} aria-label={t("Who can see it")} data-testid="new-post-visibility">
            <option value="all">{t("All friends")}</option>
            <option value="private">{t("Only me")}</option>
            <option value="only">{t("Only chosen friends")}</option>
            <option value="except">{t("Hide from chosen friends")}</option>
          </select>
        </label>
        {choosing && (
          <div className="card chooser" data-testid="new-post-audience">
            {contacts.map((c) => (
              <label key={c.user.id} className="row" data-testid="new-post-friend" data-name={c.remark ?? c.user.display_name}>
                <input type="checkbox" checked={users.includes(c.user.id)} onChange={() => setUsers(users.includes(c.user.id) ? users.filter((u) => u !== c.user.id) : [...users, c.user.id])} />
                <Avatar user={c.user} size={28} />
                <span>{c.remark ?? c.user.display_name}</span>
              </label>
            ))}
          </div>
        )}
        {error && (
          <p className="pay-error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" disabled={busy || (!text.trim() && files.length === 0) || (choosing && users.length === 0)} onClick={() => void post()} data-testid="new-post-submit">
          {busy ? t("Posting…") : t("Post")}
        </button>
      </main>
    </div>
  );
}
