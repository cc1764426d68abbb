-- Moments as this account last saw them, so the feed opens offline and at once: posts as the
-- server rendered them for me (it alone decides who sees what), the notices that concern me in
-- the order they happened, and how far I have looked.
CREATE TABLE moment_posts (
    id   TEXT NOT NULL PRIMARY KEY,  -- UUIDv7: its text order is time order
    body TEXT NOT NULL               -- xin_proto::Post (JSON)
);

CREATE TABLE moment_notices (
    seq     INTEGER NOT NULL PRIMARY KEY,  -- the event's seq in my log
    post_id TEXT    NOT NULL,
    body    TEXT    NOT NULL               -- xin_proto::MomentNotice (JSON)
);

CREATE TABLE moments_seen (
    id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    notices_seq   INTEGER NOT NULL,  -- notices up to this seq were read
    newest_poster TEXT               -- the friend who posted since I last opened Moments (JSON)
);
INSERT INTO moments_seen (id, notices_seq) VALUES (1, 0);
