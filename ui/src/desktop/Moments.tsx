import { useCallback, useEffect, useRef, useState } from "react";
import type { Contact, MomentComment, MomentNoticeView, MomentUser, MomentsBadge, Post, PostPage, UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { CommentText, likesLine, mergeFirstPage, noticeLine } from "../shared/moments";
import { relativeTime } from "../shared/format";
import { Icon } from "../shared/icons";
import { ImageViewer, type ViewerPhoto } from "./ImageViewer";
import { errorText, ipc, mediaUrl, onCoreEvent } from "./ipc";
import { PostComposer } from "./PostComposer";
import { useCached } from "./useCore";
import { useT } from "../shared/i18n";

/** The Moments icon's badge, shared by the rail and the feed's "new messages" bar. */
export function useMomentsBadge(): MomentsBadge | null {
  return useCached(ipc.momentsBadge, (e) => e.type === "moments_changed", []);
}

/** Pages of posts that scroll back on demand: `first` paints at once (the cache), `fetch`
 *  brings the truth and every older page. */
function usePostPages(fetch: (before: string | null) => Promise<PostPage>, first?: () => Promise<PostPage>) {
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState("");
  const loading = useRef(false);
  const refresh = useCallback(() => {
    fetch(null).then(
      (p) => {
        setPosts((all) => mergeFirstPage(p, all));
        setNext((n) => (p.next && n && n < p.next ? n : p.next));
        setError("");
      },
      (e) => setError(errorText(e)),
    );
  }, [fetch]);
  useEffect(() => {
    first?.().then((p) => setPosts((all) => all ?? p.posts), () => {});
    refresh();
  }, [first, refresh]);
  const more = () => {
    if (!next || loading.current) return;
    loading.current = true;
    fetch(next).then(
      (p) => {
        setPosts((all) => [...(all ?? []), ...p.posts.filter((x) => !all?.some((y) => y.id === x.id))]);
        setNext(p.next);
        loading.current = false;
      },
      (e) => {
        setError(errorText(e));
        loading.current = false;
      },
    );
  };
  const replace = (p: Post) => setPosts((all) => all?.map((x) => (x.id === p.id ? p : x)) ?? null);
  const remove = (id: string) => setPosts((all) => all?.filter((x) => x.id !== id) ?? null);
  return { posts, next, error, refresh, more, replace, remove };
}

/** Loads the next page when the pane is scrolled near its end. */
function nearEnd(e: React.UIEvent<HTMLElement>, more: () => void) {
  const el = e.currentTarget;
  if (el.scrollTop + el.clientHeight > el.scrollHeight - 400) more();
}

const timeline = (before: string | null) => ipc.moments(before);
const cachedTimeline = () => ipc.cachedMoments(null);

/** Moments: a cover with my name and avatar, the feed of my and my friends' posts (as the
 *  server's rules let me see them, kept in the cache so it opens offline), likes and comments,
 *  the "new messages" bar, and a composer. */
export function Moments({ me, contacts }: { me: UserProfile; contacts: Contact[] }) {
  const t = useT();
  const feed = usePostPages(timeline, cachedTimeline);
  const badge = useMomentsBadge();
  const [composing, setComposing] = useState(false);
  const [notices, setNotices] = useState(false);
  const [album, setAlbum] = useState<MomentUser | null>(null);
  const { refresh } = feed;
  useEffect(() => {
    void ipc.markMomentsSeen();
    const unlisten = onCoreEvent((e) => {
      if (e.type !== "moments_changed") return;
      refresh();
      void ipc.markMomentsSeen();
    });
    return () => {
      unlisten.then((f) => f());
    };
  }, [refresh]);
  return (
    <>
      <section className="content-pane moments-pane" data-testid="moments" onScroll={(e) => nearEnd(e, feed.more)}>
        <div className="moments-column">
          <div className="moments-cover">
            <button className="moments-camera moments-notices-button" onClick={() => setNotices(true)} aria-label={t("Messages")} title={t("Messages")} data-testid="moments-notices-open">
              <Icon name="chats" size={18} />
            </button>
            <button className="moments-camera" onClick={() => setComposing(true)} aria-label={t("Post")} title={t("Post")} data-testid="moments-compose">
              <Icon name="photo" size={20} />
            </button>
            <div className="moments-me">
              <span>{me.display_name}</span>
              <button className="avatar-button" onClick={() => setAlbum(me)} title={t("My posts")} data-testid="moments-my-album">
                <Avatar user={me} size={64} />
              </button>
            </div>
          </div>
          {badge && badge.unread > 0 && badge.newest && (
            <button className="moments-new-notices" onClick={() => setNotices(true)} data-testid="moments-new-notices">
              <Avatar user={badge.newest} size={28} />
              {badge.unread === 1 ? t("1 new message") : t("{{n}} new messages", { n: badge.unread })}
            </button>
          )}
          {feed.error && <p className="error-text">{feed.error}</p>}
          {feed.posts?.length === 0 && <p className="list-empty">{t("No posts yet. Share a moment with your friends.")}</p>}
          {feed.posts?.map((p) => <PostCard key={p.id} post={p} me={me} onChange={feed.replace} onDeleted={feed.remove} onAuthor={setAlbum} />)}
          {feed.posts && feed.posts.length > 0 && !feed.next && <p className="moments-end">·</p>}
        </div>
      </section>
      {composing && (
        <PostComposer
          contacts={contacts}
          onClose={() => setComposing(false)}
          onPosted={() => {
            setComposing(false);
            refresh();
          }}
        />
      )}
      {notices && <Notices onClose={() => setNotices(false)} />}
      {album && <Album user={album} me={me} onClose={() => setAlbum(null)} />}
    </>
  );
}

/** Someone's posts (their album), newest first, as far back as they let me look. */
export function Album({ user, me, onClose }: { user: MomentUser; me: UserProfile; onClose: () => void }) {
  const t = useT();
  const fetch = useCallback((before: string | null) => ipc.album(user.id, before), [user.id]);
  const pages = usePostPages(fetch);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal album" role="dialog" aria-label={t("{{name}}'s Moments", { name: user.display_name })} onClick={(e) => e.stopPropagation()} onScroll={(e) => nearEnd(e, pages.more)} data-testid="album">
        <div className="album-head">
          <Avatar user={user} size={48} />
          <h3>{user.id === me.id ? t("My posts") : t("{{name}}'s Moments", { name: user.display_name })}</h3>
          <button className="icon-button" onClick={onClose} aria-label={t("Close")}>
            <Icon name="close" size={18} />
          </button>
        </div>
        {pages.error && <p className="error-text">{pages.error}</p>}
        {pages.posts?.length === 0 && <p className="list-empty">{t("No posts to show.")}</p>}
        {pages.posts?.map((p) => <PostCard key={p.id} post={p} me={me} onChange={pages.replace} onDeleted={pages.remove} />)}
      </div>
    </div>
  );
}

/** Likes, comments and replies that concern me, newest first; opening it reads them. */
function Notices({ onClose }: { onClose: () => void }) {
  const t = useT();
  const notices = useCached(ipc.momentNotices, (e) => e.type === "moments_changed", []);
  useEffect(() => {
    void ipc.markMomentNoticesRead();
  }, []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal moment-notices" role="dialog" aria-label={t("Messages")} onClick={(e) => e.stopPropagation()} data-testid="moment-notices">
        <div className="album-head">
          <h3>{t("Messages")}</h3>
          <button className="icon-button" onClick={onClose} aria-label={t("Close")}>
            <Icon name="close" size={18} />
          </button>
        </div>
        {notices?.length === 0 && <p className="list-empty">{t("No likes or comments yet.")}</p>}
        {notices?.map((n) => <NoticeRow key={n.seq} n={n} />)}
      </div>
    </div>
  );
}

function NoticeRow({ n }: { n: MomentNoticeView }) {
  return (
    <div className={n.unread ? "notice-row unread" : "notice-row"} data-testid="moment-notice" data-kind={n.notice.kind}>
      <Avatar user={n.notice.from} size={40} />
      <div className="notice-main">
        <div className="moment-author">{n.notice.from.display_name}</div>
        <div className="notice-what">{noticeLine(n.notice)}</div>
        <div className="muted-label">{relativeTime(n.notice.at, Date.now())}</div>
      </div>
      {n.post_image ? <img className="notice-post" src={mediaUrl(n.post_image)} alt="" /> : <div className="notice-post text">{n.post_text}</div>}
    </div>
  );
}

function PostCard({ post, me, onChange, onDeleted, onAuthor }: { post: Post; me: UserProfile; onChange: (p: Post) => void; onDeleted: (id: string) => void; onAuthor?: (u: MomentUser) => void }) {
  const t = useT();
  const liked = post.likes.some((l) => l.id === me.id);
  const [writing, setWriting] = useState(false);
  // The comment being answered, if a reply.
  const [replyTo, setReplyTo] = useState<MomentComment | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [viewer, setViewer] = useState<number | null>(null);
  const fail = (e: unknown) => setError(errorText(e));
  const mine = post.author.id === me.id;
  const send = () =>
    ipc.commentPost(post.id, text.trim(), replyTo?.id ?? null).then((p) => {
      onChange(p);
      setText("");
      setReplyTo(null);
      setWriting(false);
    }, fail);
  const reply = (c: MomentComment) => {
    if (c.author.id === me.id) return;
    setReplyTo(c);
    setWriting(true);
  };
  const removeComment = (c: MomentComment) =>
    ipc.deleteComment(post.id, c.id).then(() => onChange({ ...post, comments: post.comments.filter((x) => x.id !== c.id) }), fail);
  const photos: ViewerPhoto[] = post.images.map((hash) => ({ hash, at: post.created_at }));
  return (
    <article className="moment" data-testid="moment" data-text={post.text}>
      <button className="avatar-button" onClick={() => onAuthor?.(post.author)} title={t("{{name}}'s Moments", { name: post.author.display_name })}>
        <Avatar user={post.author} size={44} />
      </button>
      <div className="moment-body">
        <div className="moment-author">{post.author.display_name}</div>
        {post.text && <div className="moment-text">{post.text}</div>}
        {post.images.length > 0 && (
          <div className={post.images.length === 1 ? "moment-images one" : "moment-images"}>
            {post.images.map((h, i) => (
              <img key={h} src={mediaUrl(h)} alt="" data-testid="moment-image" onClick={() => setViewer(i)} />
            ))}
          </div>
        )}
        {post.link && (
          <button className="link-card" onClick={() => ipc.openLink(post.link!.url).catch(fail)} title={post.link.url} data-testid="moment-link">
            {post.link.image ? <img src={mediaUrl(post.link.image)} alt="" /> : <span className="link-card-icon">🔗</span>}
            <span className="link-card-text">
              <b>{post.link.title}</b>
              {post.link.description && <small>{post.link.description}</small>}
            </span>
          </button>
        )}
        <div className="moment-meta">
          <span>
            {relativeTime(post.created_at, Date.now())}
            {mine && post.visibility && post.visibility !== "all" && <span className="moment-audience">{post.visibility === "private" ? t("Only me") : post.visibility === "only" ? t("Shared with some") : t("Hidden from some")}</span>}
            {mine && (
              <button className="link-button moment-delete" onClick={() => ipc.deletePost(post.id).then(() => onDeleted(post.id), fail)}>
                {t("Delete")}
              </button>
            )}
          </span>
          <span className="moment-actions">
            <button className={liked ? "liked" : ""} onClick={() => ipc.likePost(post.id, !liked).then(onChange, fail)} data-testid="moment-like">
              ♥ {liked ? t("Liked") : t("Like")}
            </button>
            <button
              onClick={() => {
                setReplyTo(null);
                setWriting(!writing);
              }}
              data-testid="moment-comment"
            >
              💬 {t("Comment")}
            </button>
          </span>
        </div>
        {(post.likes.length > 0 || post.comments.length > 0) && (
          <div className="moment-social">
            {post.likes.length > 0 && (
              <div className="moment-likes" data-testid="moment-likes">
                {likesLine(post.likes)}
              </div>
            )}
            {post.comments.map((c) => (
              <div key={c.id} className="moment-comment" onClick={() => reply(c)} title={c.author.id === me.id ? undefined : t("Reply to {{v0}}", { v0: c.author.display_name })} data-testid="moment-comment-line">
                <CommentText c={c} />
                {(mine || c.author.id === me.id) && (
                  <button
                    className="comment-delete"
                    aria-label={t("Delete comment")}
                    title={t("Delete")}
                    onClick={(e) => {
                      e.stopPropagation();
                      void removeComment(c);
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
            className="moment-write"
            onSubmit={(e) => {
              e.preventDefault();
              if (text.trim()) void send();
            }}
          >
            <input autoFocus value={text} onChange={(e) => setText(e.target.value)} placeholder={replyTo ? t("Reply to {{v0}}", { v0: replyTo.author.display_name }) : t("Comment")} maxLength={500} data-testid="moment-comment-input" />
            <button className="primary-button small" disabled={!text.trim()}>
              {t("Send")}
            </button>
          </form>
        )}
        {error && <p className="error-text">{error}</p>}
      </div>
      {viewer !== null && <ImageViewer photos={photos} start={viewer} onClose={() => setViewer(null)} />}
    </article>
  );
}
