-- File transfers: durable like the outbox, so they continue after a network cut or a restart.
CREATE TABLE transfers (
    id              TEXT    NOT NULL PRIMARY KEY,  -- up: the message's client id; down: the message id
    direction       TEXT    NOT NULL,              -- up | down
    conversation_id TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    path            TEXT    NOT NULL,              -- up: the file picked; down: where it was saved
    size            INTEGER NOT NULL,
    done            INTEGER NOT NULL DEFAULT 0,    -- bytes the other side has verified
    state           TEXT    NOT NULL,              -- preparing | queued | running | paused | failed | done | cancelled
    error           TEXT,
    parts           TEXT    NOT NULL DEFAULT '[]', -- up: JSON of the blobs to upload, with their tus locations
    request         TEXT    NOT NULL DEFAULT '',   -- up: JSON of the SendMessage sent once every part is up
    hash            TEXT    NOT NULL DEFAULT '',   -- down: the blob
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX transfers_next ON transfers (direction, state, created_at);
