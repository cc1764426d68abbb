-- One-to-one calls: the state the server owns (ringing → active → ended). Signals between the
-- two devices are never stored; the outcome goes to the chat as a `call` line.
CREATE TABLE calls (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    caller          TEXT COLLATE "C" NOT NULL,
    caller_device   TEXT COLLATE "C" NOT NULL,
    callee          TEXT COLLATE "C" NOT NULL,
    callee_device   TEXT COLLATE "C",            -- the device that took it
    conversation_id TEXT COLLATE "C" NOT NULL,   -- their 1:1 chat, where the line goes
    kind            TEXT COLLATE "C" NOT NULL,   -- voice | video
    state           TEXT COLLATE "C" NOT NULL,   -- ringing | active | ended
    voice_only      BIGINT NOT NULL DEFAULT 0,
    outcome         TEXT COLLATE "C",            -- completed | cancelled | declined | no_answer | busy | failed
    failure         TEXT COLLATE "C",            -- connection | signed_out | media
    created_at      BIGINT NOT NULL,
    answered_at     BIGINT,
    ended_at        BIGINT
);

-- Calls not over: who is busy, which rings time out.
CREATE INDEX calls_live ON calls (state, created_at) WHERE state <> 'ended';
