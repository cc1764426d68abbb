-- Moments: posts among friends. Who may see a post is decided here, on the server, by one SQL
-- predicate (store::moments::VISIBLE) used by the timeline, the album and blob downloads alike.
CREATE TABLE moment_posts (
    id         TEXT    NOT NULL PRIMARY KEY,  -- UUIDv7: ordered by time
    author_id  TEXT    NOT NULL REFERENCES users (id),
    text       TEXT    NOT NULL,
    images     TEXT    NOT NULL,              -- JSON array of blob hashes, at most 9
    link       TEXT,                          -- JSON xin_proto::LinkCard, for a shared page
    visibility TEXT    NOT NULL,              -- all | private | only | except
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX moment_posts_author ON moment_posts (author_id, id);

-- The people a post is only for (visibility `only`) or hidden from (`except`), resolved from
-- chosen friends and tags when it is posted.
CREATE TABLE moment_audience (
    post_id TEXT NOT NULL REFERENCES moment_posts (id),
    user_id TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
) STRICT;

-- Images of posts: whoever may see the post may download them (and nobody else through it).
CREATE TABLE moment_blobs (
    hash    TEXT NOT NULL REFERENCES blobs (hash),
    post_id TEXT NOT NULL REFERENCES moment_posts (id),
    PRIMARY KEY (hash, post_id)
) STRICT;

CREATE TABLE moment_likes (
    post_id    TEXT    NOT NULL REFERENCES moment_posts (id),
    user_id    TEXT    NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
) STRICT;

CREATE TABLE moment_comments (
    id          TEXT    NOT NULL PRIMARY KEY,
    post_id     TEXT    NOT NULL REFERENCES moment_posts (id),
    author_id   TEXT    NOT NULL REFERENCES users (id),
    reply_to_id TEXT,                          -- the user replied to, if a reply
    text        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE INDEX moment_comments_post ON moment_comments (post_id, id);

-- Per person: 'mine' = don't let them see my Moments; 'theirs' = hide their Moments from me.
CREATE TABLE moment_hidden (
    owner_id TEXT NOT NULL REFERENCES users (id),
    other_id TEXT NOT NULL REFERENCES users (id),
    kind     TEXT NOT NULL,
    PRIMARY KEY (owner_id, other_id, kind)
) STRICT;

-- How far back friends may look in my album (and timeline): NULL = all.
CREATE TABLE moment_prefs (
    user_id   TEXT    NOT NULL PRIMARY KEY REFERENCES users (id),
    window_ms INTEGER
) STRICT;

-- Contact tags (labels), used by Moments' visibility and later features.
CREATE TABLE contact_tags (
    user_id   TEXT NOT NULL REFERENCES users (id),
    tag       TEXT NOT NULL,
    friend_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (user_id, tag, friend_id)
) STRICT;
CREATE INDEX contact_tags_friend ON contact_tags (user_id, friend_id);
