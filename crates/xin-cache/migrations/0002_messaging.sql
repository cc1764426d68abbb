-- Messaging cache: what the chat list, conversations and contacts render from.
CREATE TABLE sync_state (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL   -- the last event of this user's log applied here
) STRICT;
INSERT INTO sync_state (id, last_seq) VALUES (1, 0);

CREATE TABLE conversations (
    id            TEXT    NOT NULL PRIMARY KEY,
    body          TEXT    NOT NULL,   -- JSON of xin_proto::Conversation as last seen
    pinned        INTEGER NOT NULL,
    last_activity INTEGER NOT NULL,
    preview       TEXT    NOT NULL DEFAULT '',
    draft         TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Sent messages have a seq; messages still in the outbox have none and state 'pending'/'failed'.
CREATE TABLE messages (
    id              TEXT    NOT NULL PRIMARY KEY,
    conversation_id TEXT    NOT NULL,
    seq             INTEGER,
    client_id       TEXT    NOT NULL UNIQUE,
    sender_id       TEXT    NOT NULL,
    body            TEXT    NOT NULL,   -- JSON of xin_proto::Message
    state           TEXT    NOT NULL,   -- sent | pending | failed
    created_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX messages_conv_seq ON messages (conversation_id, seq);
CREATE INDEX messages_conv_pending ON messages (conversation_id, state, created_at);

-- Sends not yet acknowledged, in the order they were typed.
CREATE TABLE outbox (
    client_id       TEXT    NOT NULL PRIMARY KEY,
    conversation_id TEXT    NOT NULL,
    request         TEXT    NOT NULL,   -- JSON of xin_proto::SendMessage
    state           TEXT    NOT NULL,   -- pending | failed
    error           TEXT,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
    user_id TEXT NOT NULL PRIMARY KEY,
    body    TEXT NOT NULL               -- JSON of xin_proto::Contact
) STRICT;

CREATE TABLE friend_requests (
    id         TEXT    NOT NULL PRIMARY KEY,
    body       TEXT    NOT NULL,        -- JSON of xin_proto::FriendRequest
    created_at INTEGER NOT NULL
) STRICT;
