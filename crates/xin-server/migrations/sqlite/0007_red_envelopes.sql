-- Red envelopes: the amount waits in escrow; the split is fixed at send time from a seed whose
-- BLAKE3 is published at once and the seed itself once the envelope is finished or returned.
CREATE TABLE red_envelopes (
    id              TEXT    NOT NULL PRIMARY KEY,
    conversation_id TEXT    NOT NULL REFERENCES conversations (id),
    sender_id       TEXT    NOT NULL REFERENCES users (id),
    kind            TEXT    NOT NULL,   -- normal | lucky
    amount          INTEGER NOT NULL CHECK (amount > 0),
    shares          INTEGER NOT NULL CHECK (shares > 0),
    note            TEXT    NOT NULL,
    seed            TEXT    NOT NULL,   -- hex; never sent out before the envelope is finished
    commitment      TEXT    NOT NULL,   -- BLAKE3 of the seed, hex
    state           TEXT    NOT NULL,   -- open | finished | returned
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX red_envelopes_due ON red_envelopes (state, expires_at);

CREATE TABLE red_envelope_grabs (
    envelope_id TEXT    NOT NULL REFERENCES red_envelopes (id),
    user_id     TEXT    NOT NULL REFERENCES users (id),
    share_index INTEGER NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (envelope_id, user_id),   -- one grab per person
    UNIQUE (envelope_id, share_index)     -- one person per share
) STRICT;
