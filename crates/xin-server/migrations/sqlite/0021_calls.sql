-- One-to-one calls: the state the server owns (ringing → active → ended). Signals between the
-- two devices are never stored; the outcome goes to the chat as a `call` line.
CREATE TABLE calls (
    id              TEXT NOT NULL PRIMARY KEY,
    caller          TEXT NOT NULL,
    caller_device   TEXT NOT NULL,
    callee          TEXT NOT NULL,
    callee_device   TEXT,            -- the device that took it
    conversation_id TEXT NOT NULL,   -- their 1:1 chat, where the line goes
    kind            TEXT NOT NULL,   -- voice | video
    state           TEXT NOT NULL,   -- ringing | active | ended
    voice_only      INTEGER NOT NULL DEFAULT 0,
    outcome         TEXT,            -- completed | cancelled | declined | no_answer | busy | failed
    failure         TEXT,            -- connection | signed_out | media
    created_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    ended_at        INTEGER
);

-- Calls not over: who is busy, which rings time out.
CREATE INDEX calls_live ON calls (state, created_at) WHERE state <> 'ended';
