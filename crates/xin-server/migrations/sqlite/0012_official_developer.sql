-- Developer mode for official accounts: a webhook for followers' messages and events (with a
-- durable delivery queue, retried with the same delivery id) and access tokens for the API.
CREATE TABLE official_developer (
    account_id  TEXT NOT NULL PRIMARY KEY REFERENCES official_accounts (id),
    webhook_url TEXT,           -- NULL: no deliveries
    secret      TEXT NOT NULL   -- signs deliveries (HMAC-SHA256) and buys access tokens
) STRICT;

CREATE TABLE official_webhook_queue (
    id         TEXT    NOT NULL PRIMARY KEY,  -- the delivery id, the same on every retry
    account_id TEXT    NOT NULL REFERENCES official_accounts (id),
    body       TEXT    NOT NULL,              -- JSON xin_proto::WebhookEvent
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    state      TEXT    NOT NULL               -- pending | delivered | failed
) STRICT;
CREATE INDEX official_webhook_due ON official_webhook_queue (state, next_at);

CREATE TABLE official_tokens (
    token_hash TEXT    NOT NULL PRIMARY KEY,  -- BLAKE3 of the token
    account_id TEXT    NOT NULL REFERENCES official_accounts (id),
    expires_at INTEGER NOT NULL
) STRICT;
