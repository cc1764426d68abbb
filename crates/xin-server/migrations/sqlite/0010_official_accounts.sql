-- Official accounts: owned by a Xin user, followed by many; they publish sanitised articles
-- and broadcast them to followers within WeChat's limits.
CREATE TABLE official_accounts (
    id         TEXT    NOT NULL PRIMARY KEY,
    owner_id   TEXT    NOT NULL REFERENCES users (id),
    handle     TEXT    NOT NULL,
    handle_key TEXT    NOT NULL UNIQUE,  -- lower-cased: handles are unique in any case
    name       TEXT    NOT NULL,
    intro      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,         -- subscription | service
    avatar_hue INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE official_follows (
    account_id TEXT    NOT NULL REFERENCES official_accounts (id),
    user_id    TEXT    NOT NULL REFERENCES users (id),
    scene      TEXT,                     -- the QR code's scene value, if followed through one
    since      INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id)
) STRICT;
CREATE INDEX official_follows_user ON official_follows (user_id);

-- The account's labels for its followers (broadcast targeting).
CREATE TABLE official_follower_tags (
    account_id TEXT NOT NULL REFERENCES official_accounts (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    tag        TEXT NOT NULL,
    PRIMARY KEY (account_id, tag, user_id)
) STRICT;

CREATE TABLE official_articles (
    id         TEXT    NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL REFERENCES official_accounts (id),
    title      TEXT    NOT NULL,
    cover      TEXT,
    digest     TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    body_html  TEXT    NOT NULL,         -- already sanitised
    source_url TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX official_articles_account ON official_articles (account_id, id);

-- Pictures of articles (cover and body): readable by anyone signed in once published.
CREATE TABLE official_article_blobs (
    hash       TEXT NOT NULL REFERENCES blobs (hash),
    article_id TEXT NOT NULL REFERENCES official_articles (id),
    PRIMARY KEY (hash, article_id)
) STRICT;

CREATE TABLE official_broadcasts (
    id         TEXT    NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL REFERENCES official_accounts (id),
    articles   TEXT    NOT NULL,         -- JSON array of article ids, in order
    tag        TEXT,
    day        TEXT    NOT NULL,         -- UTC date, for the one-a-day rule
    sent_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX official_broadcasts_account ON official_broadcasts (account_id, day);

-- Who received which broadcast (the subscriptions feed, and four a month per follower).
CREATE TABLE official_deliveries (
    broadcast_id TEXT NOT NULL REFERENCES official_broadcasts (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    month        TEXT NOT NULL,          -- UTC year-month
    PRIMARY KEY (user_id, broadcast_id)
) STRICT;
CREATE INDEX official_deliveries_month ON official_deliveries (user_id, month);

-- Reads, likes and "Wow" per article and reader.
CREATE TABLE official_reactions (
    article_id TEXT    NOT NULL REFERENCES official_articles (id),
    user_id    TEXT    NOT NULL REFERENCES users (id),
    liked      INTEGER NOT NULL DEFAULT 0,
    wowed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, user_id)
) STRICT;
