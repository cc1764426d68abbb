-- The write path at scale: a message is stored once (in messages) and a user's log entry for
-- it is a small reference; a conversation snapshot is a reference too, built when read. Only
-- small changes (a rename, a member added, a friend request) are stored inline.
CREATE TABLE user_events (
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       TEXT    NOT NULL,   -- m: message ref_id | c: conversation ref_id | j: body inline
    ref_id     TEXT,
    unread     INTEGER,            -- m: the user's unread count in that conversation after it
    body       TEXT,               -- j: JSON of xin_proto::EventBody
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
) STRICT, WITHOUT ROWID;

INSERT INTO user_events (user_id, seq, kind, ref_id, unread, body, created_at)
    SELECT user_id, seq, 'j', NULL, NULL, body, created_at FROM events;

DROP TABLE events;
