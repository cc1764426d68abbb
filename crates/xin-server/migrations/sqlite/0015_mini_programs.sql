-- Mini-programs: packages published by official accounts, signed by the server; login codes a
-- mini-program's backend trades for a per-app user id; orders paid from the user's wallet.

-- The key packages are signed with (Ed25519), made on first use; one row.
CREATE TABLE mini_program_signing (
    id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    secret BLOB    NOT NULL
) STRICT;

CREATE TABLE mini_programs (
    id          TEXT    NOT NULL PRIMARY KEY,
    app_id      TEXT    NOT NULL UNIQUE,        -- the manifest's id
    account_id  TEXT    NOT NULL REFERENCES official_accounts (id),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    icon        BLOB    NOT NULL,               -- PNG, from the current package
    manifest    TEXT    NOT NULL,               -- JSON, of the current version
    version     TEXT    NOT NULL,               -- the current version
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX mini_programs_account ON mini_programs (account_id);

-- Every published version, kept: a desktop may still run an older one it cached.
CREATE TABLE mini_program_versions (
    mini_program_id TEXT    NOT NULL REFERENCES mini_programs (id),
    version         TEXT    NOT NULL,
    package         BLOB    NOT NULL,           -- the zip
    size            INTEGER NOT NULL,
    hash            TEXT    NOT NULL,           -- BLAKE3 of the zip, hex
    signature       TEXT    NOT NULL,           -- Ed25519, base64
    published_at    INTEGER NOT NULL,
    PRIMARY KEY (mini_program_id, version)
) STRICT;

-- Recently used and pinned, per user.
CREATE TABLE mini_program_users (
    mini_program_id TEXT    NOT NULL REFERENCES mini_programs (id),
    user_id         TEXT    NOT NULL REFERENCES users (id),
    last_used       INTEGER,
    pinned          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, mini_program_id)
) STRICT;

CREATE TABLE mini_program_codes (
    code_hash       TEXT    NOT NULL PRIMARY KEY, -- BLAKE3 of the code
    mini_program_id TEXT    NOT NULL REFERENCES mini_programs (id),
    user_id         TEXT    NOT NULL REFERENCES users (id),
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER
) STRICT;

CREATE TABLE mini_program_orders (
    id              TEXT    NOT NULL PRIMARY KEY,
    mini_program_id TEXT    NOT NULL REFERENCES mini_programs (id),
    out_trade_no    TEXT    NOT NULL,
    user_id         TEXT    NOT NULL REFERENCES users (id), -- the payer
    openid          TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    state           TEXT    NOT NULL,           -- created | paid
    transaction_id  TEXT    REFERENCES ledger_transactions (id),
    created_at      INTEGER NOT NULL,
    paid_at         INTEGER,
    UNIQUE (mini_program_id, out_trade_no)
) STRICT;

-- Whom an openid stands for, recorded when a login code is exchanged: orders name the payer by
-- openid, and the openid itself cannot be reversed.
CREATE TABLE mini_program_openids (
    mini_program_id TEXT NOT NULL REFERENCES mini_programs (id),
    openid          TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (mini_program_id, openid)
) STRICT;
