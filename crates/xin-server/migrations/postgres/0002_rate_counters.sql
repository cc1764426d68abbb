-- Rate limits every node counts together: a fixed one-minute window per key.
CREATE TABLE rate_counters (
    key          TEXT COLLATE "C" NOT NULL,   -- what is limited and for whom: 'attempt:ip:…'
    window_start BIGINT NOT NULL,             -- the minute, in ms
    n            BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
