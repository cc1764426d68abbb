-- Idempotency records keyed by the request's key first: clients make keys in time order
-- (UUIDv7), so a batch of payments appends to one end of one index instead of to the end of
-- every payer's range (a page per payer rewritten into the log with every commit).
CREATE TABLE wallet_requests_by_key (
    key         TEXT    NOT NULL,
    user_id     TEXT    NOT NULL REFERENCES users (id),
    fingerprint TEXT    NOT NULL,   -- BLAKE3 of the request's parameters
    response    TEXT    NOT NULL,   -- JSON
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (key, user_id)
) STRICT;
INSERT INTO wallet_requests_by_key (key, user_id, fingerprint, response, created_at)
    SELECT key, user_id, fingerprint, response, created_at FROM wallet_requests;
DROP TABLE wallet_requests;
ALTER TABLE wallet_requests_by_key RENAME TO wallet_requests;
