-- Files: content-addressed blobs, who holds them, what references them, uploads in progress.
CREATE TABLE blobs (
    hash       TEXT    NOT NULL PRIMARY KEY,  -- BLAKE3, 64 hex digits
    size       INTEGER NOT NULL,
    media_type TEXT    NOT NULL,              -- sniffed from the bytes, never taken from a client
    created_at INTEGER NOT NULL
) STRICT;

-- A user holds a blob once they uploaded its bytes: their quota, their "instant upload".
CREATE TABLE blob_owners (
    user_id    TEXT    NOT NULL,
    hash       TEXT    NOT NULL REFERENCES blobs (hash),
    touched_at INTEGER NOT NULL,              -- last upload or instant upload (GC grace)
    PRIMARY KEY (user_id, hash)
) STRICT;
CREATE INDEX blob_owners_hash ON blob_owners (hash);

-- Messages that point at a blob: members of these conversations may download it.
CREATE TABLE message_blobs (
    hash            TEXT NOT NULL REFERENCES blobs (hash),
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    PRIMARY KEY (hash, conversation_id, message_id)
) STRICT;

CREATE TABLE uploads (
    id         TEXT    NOT NULL PRIMARY KEY,
    user_id    TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    hash       TEXT    NOT NULL,              -- the announced BLAKE3 of the whole file
    name       TEXT    NOT NULL,
    received   INTEGER NOT NULL,              -- verified bytes, durably on disk
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX uploads_user ON uploads (user_id);
CREATE INDEX uploads_updated ON uploads (updated_at);
