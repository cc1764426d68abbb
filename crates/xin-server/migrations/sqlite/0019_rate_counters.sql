-- Rate limits every node counts together (when nodes share a PostgreSQL database; the embedded
-- store has one node and counts in memory, so this table stays empty there).
CREATE TABLE rate_counters (
    key          TEXT    NOT NULL,   -- what is limited and for whom: 'attempt:ip:…'
    window_start INTEGER NOT NULL,   -- the minute, in ms
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
) STRICT;
