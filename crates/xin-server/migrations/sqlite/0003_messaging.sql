-- Contacts, conversations, messages and the per-user event log.

-- Each user's event log. seq is gap-free per user: allocated from user_log in the same
-- transaction that writes the event, so a rollback never leaves a hole.
CREATE TABLE user_log (
    user_id  TEXT    NOT NULL PRIMARY KEY REFERENCES users (id),
    last_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
    user_id    TEXT    NOT NULL REFERENCES users (id),
    seq        INTEGER NOT NULL,
    body       TEXT    NOT NULL,   -- JSON of xin_proto::EventBody
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
) STRICT;

CREATE TABLE friend_requests (
    id         TEXT    NOT NULL PRIMARY KEY,
    from_user  TEXT    NOT NULL REFERENCES users (id),
    to_user    TEXT    NOT NULL REFERENCES users (id),
    greeting   TEXT    NOT NULL,
    state      TEXT    NOT NULL,   -- pending | accepted | declined
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX friend_requests_to ON friend_requests (to_user, state);

-- One row per direction: (alice, bob) and (bob, alice), each with its own remark.
CREATE TABLE contacts (
    user_id   TEXT    NOT NULL REFERENCES users (id),
    friend_id TEXT    NOT NULL REFERENCES users (id),
    remark    TEXT,
    since     INTEGER NOT NULL,
    PRIMARY KEY (user_id, friend_id)
) STRICT;

CREATE TABLE blocks (
    user_id    TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (user_id, blocked_id)
) STRICT;

CREATE TABLE conversations (
    id           TEXT    NOT NULL PRIMARY KEY,
    kind         TEXT    NOT NULL,   -- direct | group | self_note
    title        TEXT    NOT NULL,
    announcement TEXT    NOT NULL DEFAULT '',
    pair_key     TEXT    UNIQUE,     -- direct: "<smaller id>:<larger id>"; self_note: "<id>"
    last_seq     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE members (
    conversation_id TEXT    NOT NULL REFERENCES conversations (id),
    user_id         TEXT    NOT NULL REFERENCES users (id),
    role            TEXT    NOT NULL,   -- owner | admin | member
    active          INTEGER NOT NULL,   -- 0 after leaving or being removed
    read_seq        INTEGER NOT NULL DEFAULT 0,
    pinned          INTEGER NOT NULL DEFAULT 0,
    muted           INTEGER NOT NULL DEFAULT 0,
    joined_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
) STRICT;
CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
    id              TEXT    NOT NULL PRIMARY KEY,
    conversation_id TEXT    NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    sender_id       TEXT    NOT NULL REFERENCES users (id),
    sender_device   TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    content         TEXT    NOT NULL,   -- JSON of xin_proto::Content
    reply_to        TEXT,
    recalled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_device, client_id)   -- a retried send answers with the first result
) STRICT;

CREATE TABLE hidden_messages (
    user_id    TEXT NOT NULL REFERENCES users (id),
    message_id TEXT NOT NULL REFERENCES messages (id),
    PRIMARY KEY (user_id, message_id)
) STRICT;
