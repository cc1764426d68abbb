-- The wallet: a double-entry ledger. Every movement is one transaction whose postings sum to
-- zero; an account's balance is the sum of its postings (kept alongside for the checks that
-- keep wallets from going below zero). Money is INTEGER fen.
CREATE TABLE ledger_accounts (
    id      TEXT    NOT NULL PRIMARY KEY,  -- 'wallet:<user>', 'bank:sandbox', 'escrow:transfer', ...
    kind    TEXT    NOT NULL,              -- wallet | bank | escrow
    user_id TEXT    UNIQUE REFERENCES users (id),
    balance INTEGER NOT NULL DEFAULT 0,
    -- The last line of defence: whatever a bug or a race does, no wallet holds less than nothing.
    CHECK (kind <> 'wallet' OR balance >= 0),
    CHECK (kind <> 'escrow' OR balance >= 0)
) STRICT;

INSERT INTO ledger_accounts (id, kind, user_id, balance) VALUES
    ('bank:sandbox', 'bank', NULL, 0),
    ('escrow:transfer', 'escrow', NULL, 0),
    ('escrow:envelope', 'escrow', NULL, 0);

CREATE TABLE ledger_transactions (
    id          TEXT    NOT NULL PRIMARY KEY,  -- UUIDv7: ordered by time
    kind        TEXT    NOT NULL,              -- top_up | withdrawal | transfer | transfer_accept | transfer_refund
    memo        TEXT    NOT NULL,
    reference_id TEXT,             -- the transfer or red envelope it belongs to
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE ledger_postings (
    transaction_id TEXT    NOT NULL REFERENCES ledger_transactions (id),
    account_id     TEXT    NOT NULL REFERENCES ledger_accounts (id),
    amount         INTEGER NOT NULL CHECK (amount <> 0),
    balance_after  INTEGER NOT NULL,
    bill_kind      TEXT    NOT NULL,             -- how the line shows in the account owner's bills
    counterparty   TEXT,                         -- the person on the other side, if one
    PRIMARY KEY (transaction_id, account_id)
) STRICT;
CREATE INDEX ledger_postings_account ON ledger_postings (account_id, transaction_id);

-- Idempotency: the first answer to a (user, key), replayed for every retry.
CREATE TABLE wallet_requests (
    user_id     TEXT    NOT NULL REFERENCES users (id),
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,   -- BLAKE3 of the request's parameters
    response    TEXT    NOT NULL,   -- JSON
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;

CREATE TABLE bank_cards (
    id          TEXT    NOT NULL PRIMARY KEY,
    user_id     TEXT    NOT NULL REFERENCES users (id),
    bank        TEXT    NOT NULL,
    last4       TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,   -- BLAKE3 of the number: the number itself is never stored
    created_at  INTEGER NOT NULL,
    UNIQUE (user_id, fingerprint)
) STRICT;

CREATE TABLE payment_pins (
    user_id     TEXT    NOT NULL PRIMARY KEY REFERENCES users (id),
    hash        TEXT    NOT NULL,   -- argon2id
    failures    INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE wallet_transfers (
    id              TEXT    NOT NULL PRIMARY KEY,
    conversation_id TEXT    NOT NULL REFERENCES conversations (id),
    sender_id       TEXT    NOT NULL REFERENCES users (id),
    recipient_id    TEXT    NOT NULL REFERENCES users (id),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    note            TEXT    NOT NULL,
    state           TEXT    NOT NULL,  -- pending | accepted | declined | refunded
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    resolved_at     INTEGER
) STRICT;
CREATE INDEX wallet_transfers_due ON wallet_transfers (state, expires_at);
