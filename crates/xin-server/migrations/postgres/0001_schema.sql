-- The whole schema as of SQLite migration 0018, in PostgreSQL's types: BIGINT for every
-- integer (milliseconds overflow INTEGER; booleans stay 0/1 as the code binds them), BYTEA for
-- bytes, and text compared byte by byte (COLLATE "C", as SQLite does: UUIDv7 ids sort by time).

CREATE TABLE users (
    id            TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    handle        TEXT COLLATE "C"    NOT NULL,
    handle_key    TEXT COLLATE "C"    NOT NULL UNIQUE,  -- lower-cased handle: handles are unique ignoring case
    phone         TEXT COLLATE "C"    NOT NULL UNIQUE,
    display_name  TEXT COLLATE "C"    NOT NULL,
    password_hash TEXT COLLATE "C"    NOT NULL,
    avatar_hue    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE devices (
    id             TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    user_id        TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    name           TEXT COLLATE "C"    NOT NULL,
    kind           TEXT COLLATE "C"    NOT NULL,
    os             TEXT COLLATE "C"    NOT NULL,
    app_version    TEXT COLLATE "C"    NOT NULL,
    ip             TEXT COLLATE "C"    NOT NULL,
    remember_hash  TEXT COLLATE "C"    UNIQUE,          -- set while the device may ask for one-tap sign-in
    created_at     BIGINT  NOT NULL,
    last_active_at BIGINT  NOT NULL,
    removed_at     BIGINT                   -- signed out from elsewhere: gone from the list
);

CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE sessions (
    id                 TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    user_id            TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    device_id          TEXT COLLATE "C"    NOT NULL REFERENCES devices (id),
    access_hash        TEXT COLLATE "C"    NOT NULL UNIQUE,
    access_expires_at  BIGINT  NOT NULL,
    refresh_hash       TEXT COLLATE "C"    NOT NULL UNIQUE,
    created_at         BIGINT  NOT NULL,
    revoked_at         BIGINT 
);

CREATE INDEX sessions_device ON sessions (device_id);

CREATE TABLE retired_refresh_tokens (
    hash       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (id)
);

CREATE TABLE login_tickets (
    id                   TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    poll_hash            TEXT COLLATE "C"    NOT NULL,
    phase                TEXT COLLATE "C"    NOT NULL,
    device_name          TEXT COLLATE "C"    NOT NULL,
    device_kind          TEXT COLLATE "C"    NOT NULL,
    device_os            TEXT COLLATE "C"    NOT NULL,
    device_app_version   TEXT COLLATE "C"    NOT NULL,
    ip                   TEXT COLLATE "C"    NOT NULL,
    created_at           BIGINT  NOT NULL,
    expires_at           BIGINT  NOT NULL,
    user_id              TEXT COLLATE "C"    REFERENCES users (id),   -- who scanned, or the remembered account
    remembered_device_id TEXT COLLATE "C"    REFERENCES devices (id), -- set for one-tap sign-in
    code                 TEXT COLLATE "C",                            -- the two digits the desktop shows
    choices              TEXT COLLATE "C",                            -- the three the phone offers, comma-separated
    delivered            BIGINT  NOT NULL DEFAULT 0        -- the session went to the poll-secret holder
);

CREATE INDEX login_tickets_user ON login_tickets (user_id, phase);

CREATE TABLE user_log (
    user_id  TEXT COLLATE "C"    NOT NULL PRIMARY KEY REFERENCES users (id),
    last_seq BIGINT  NOT NULL
);

CREATE TABLE friend_requests (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    from_user  TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    to_user    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    greeting   TEXT COLLATE "C"    NOT NULL,
    state      TEXT COLLATE "C"    NOT NULL,   -- pending | accepted | declined
    created_at BIGINT  NOT NULL
);

CREATE INDEX friend_requests_to ON friend_requests (to_user, state);

CREATE TABLE contacts (
    user_id   TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    friend_id TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    remark    TEXT COLLATE "C",
    since     BIGINT  NOT NULL,
    PRIMARY KEY (user_id, friend_id)
);

CREATE TABLE blocks (
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    blocked_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (user_id, blocked_id)
);

CREATE TABLE conversations (
    id           TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    kind         TEXT COLLATE "C"    NOT NULL,   -- direct | group | self_note
    title        TEXT COLLATE "C"    NOT NULL,
    announcement TEXT COLLATE "C"    NOT NULL DEFAULT '',
    pair_key     TEXT COLLATE "C"    UNIQUE,     -- direct: "<smaller id>:<larger id>"; self_note: "<id>"
    last_seq     BIGINT  NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL
);

CREATE TABLE members (
    conversation_id TEXT COLLATE "C"    NOT NULL REFERENCES conversations (id),
    user_id         TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    role            TEXT COLLATE "C"    NOT NULL,   -- owner | admin | member
    active          BIGINT  NOT NULL,   -- 0 after leaving or being removed
    read_seq        BIGINT  NOT NULL DEFAULT 0,
    pinned          BIGINT  NOT NULL DEFAULT 0,
    muted           BIGINT  NOT NULL DEFAULT 0,
    joined_at       BIGINT  NOT NULL, history_from BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);

CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
    id              TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    conversation_id TEXT COLLATE "C"    NOT NULL REFERENCES conversations (id),
    seq             BIGINT  NOT NULL,
    sender_id       TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    sender_device   TEXT COLLATE "C"    NOT NULL,
    client_id       TEXT COLLATE "C"    NOT NULL,
    content         TEXT COLLATE "C"    NOT NULL,   -- JSON of xin_proto::Content
    reply_to        TEXT COLLATE "C",
    recalled        BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_device, client_id)   -- a retried send answers with the first result
);

CREATE TABLE hidden_messages (
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    message_id TEXT COLLATE "C" NOT NULL REFERENCES messages (id),
    PRIMARY KEY (user_id, message_id)
);

CREATE TABLE user_events (
    user_id    TEXT COLLATE "C"    NOT NULL,
    seq        BIGINT  NOT NULL,
    kind       TEXT COLLATE "C"    NOT NULL,   -- m: message ref_id | c: conversation ref_id | j: body inline
    ref_id     TEXT COLLATE "C",
    unread     BIGINT ,            -- m: the user's unread count in that conversation after it
    body       TEXT COLLATE "C",               -- j: JSON of xin_proto::EventBody
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, seq)
);

CREATE TABLE blobs (
    hash       TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- BLAKE3, 64 hex digits
    size       BIGINT  NOT NULL,
    media_type TEXT COLLATE "C"    NOT NULL,              -- sniffed from the bytes, never taken from a client
    created_at BIGINT  NOT NULL
);

CREATE TABLE blob_owners (
    user_id    TEXT COLLATE "C"    NOT NULL,
    hash       TEXT COLLATE "C"    NOT NULL REFERENCES blobs (hash),
    touched_at BIGINT  NOT NULL,              -- last upload or instant upload (GC grace)
    PRIMARY KEY (user_id, hash)
);

CREATE INDEX blob_owners_hash ON blob_owners (hash);

CREATE TABLE message_blobs (
    hash            TEXT COLLATE "C" NOT NULL REFERENCES blobs (hash),
    conversation_id TEXT COLLATE "C" NOT NULL,
    message_id      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (hash, conversation_id, message_id)
);

CREATE TABLE uploads (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    user_id    TEXT COLLATE "C"    NOT NULL,
    size       BIGINT  NOT NULL,
    hash       TEXT COLLATE "C"    NOT NULL,              -- the announced BLAKE3 of the whole file
    name       TEXT COLLATE "C"    NOT NULL,
    received   BIGINT  NOT NULL,              -- verified bytes, durably on disk
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE INDEX uploads_user ON uploads (user_id);

CREATE INDEX uploads_updated ON uploads (updated_at);

CREATE TABLE ledger_accounts (
    id      TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- 'wallet:<user>', 'bank:sandbox', 'escrow:transfer', ...
    kind    TEXT COLLATE "C"    NOT NULL,              -- wallet | bank | escrow
    user_id TEXT COLLATE "C"    UNIQUE REFERENCES users (id),
    balance BIGINT  NOT NULL DEFAULT 0,
    -- The last line of defence: whatever a bug or a race does, no wallet holds less than nothing.
    CHECK (kind <> 'wallet' OR balance >= 0),
    CHECK (kind <> 'escrow' OR balance >= 0)
);

-- The accounts money comes from and waits in.
INSERT INTO ledger_accounts (id, kind, user_id, balance) VALUES
    ('bank:sandbox', 'bank', NULL, 0),
    ('escrow:transfer', 'escrow', NULL, 0),
    ('escrow:envelope', 'escrow', NULL, 0);

CREATE TABLE ledger_transactions (
    id          TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- UUIDv7: ordered by time
    kind        TEXT COLLATE "C"    NOT NULL,              -- top_up | withdrawal | transfer | transfer_accept | transfer_refund
    memo        TEXT COLLATE "C"    NOT NULL,
    reference_id TEXT COLLATE "C",             -- the transfer or red envelope it belongs to
    created_at  BIGINT  NOT NULL
);

CREATE TABLE ledger_postings (
    transaction_id TEXT COLLATE "C"    NOT NULL REFERENCES ledger_transactions (id),
    account_id     TEXT COLLATE "C"    NOT NULL REFERENCES ledger_accounts (id),
    amount         BIGINT  NOT NULL CHECK (amount <> 0),
    balance_after  BIGINT  NOT NULL,
    bill_kind      TEXT COLLATE "C"    NOT NULL,             -- how the line shows in the account owner's bills
    counterparty   TEXT COLLATE "C",                         -- the person on the other side, if one
    PRIMARY KEY (transaction_id, account_id)
);

CREATE INDEX ledger_postings_account ON ledger_postings (account_id, transaction_id);

CREATE TABLE bank_cards (
    id          TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    user_id     TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    bank        TEXT COLLATE "C"    NOT NULL,
    last4       TEXT COLLATE "C"    NOT NULL,
    fingerprint TEXT COLLATE "C"    NOT NULL,   -- BLAKE3 of the number: the number itself is never stored
    created_at  BIGINT  NOT NULL,
    UNIQUE (user_id, fingerprint)
);

CREATE TABLE payment_pins (
    user_id     TEXT COLLATE "C"    NOT NULL PRIMARY KEY REFERENCES users (id),
    hash        TEXT COLLATE "C"    NOT NULL,   -- argon2id
    failures    BIGINT  NOT NULL DEFAULT 0,
    next_try_at BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE wallet_transfers (
    id              TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    conversation_id TEXT COLLATE "C"    NOT NULL REFERENCES conversations (id),
    sender_id       TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    recipient_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    amount          BIGINT  NOT NULL CHECK (amount > 0),
    note            TEXT COLLATE "C"    NOT NULL,
    state           TEXT COLLATE "C"    NOT NULL,  -- pending | accepted | declined | refunded
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    resolved_at     BIGINT 
);

CREATE INDEX wallet_transfers_due ON wallet_transfers (state, expires_at);

CREATE TABLE red_envelopes (
    id              TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    conversation_id TEXT COLLATE "C"    NOT NULL REFERENCES conversations (id),
    sender_id       TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    kind            TEXT COLLATE "C"    NOT NULL,   -- normal | lucky
    amount          BIGINT  NOT NULL CHECK (amount > 0),
    shares          BIGINT  NOT NULL CHECK (shares > 0),
    note            TEXT COLLATE "C"    NOT NULL,
    seed            TEXT COLLATE "C"    NOT NULL,   -- hex; never sent out before the envelope is finished
    commitment      TEXT COLLATE "C"    NOT NULL,   -- BLAKE3 of the seed, hex
    state           TEXT COLLATE "C"    NOT NULL,   -- open | finished | returned
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);

CREATE INDEX red_envelopes_due ON red_envelopes (state, expires_at);

CREATE TABLE red_envelope_grabs (
    envelope_id TEXT COLLATE "C"    NOT NULL REFERENCES red_envelopes (id),
    user_id     TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    share_index BIGINT  NOT NULL,
    amount      BIGINT  NOT NULL CHECK (amount > 0),
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (envelope_id, user_id),   -- one grab per person
    UNIQUE (envelope_id, share_index)     -- one person per share
);

CREATE TABLE payment_codes (
    code       TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- 18 digits
    user_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    device_id  TEXT COLLATE "C"    NOT NULL REFERENCES devices (id),
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT 
);

CREATE INDEX payment_codes_device ON payment_codes (device_id);

CREATE TABLE moment_posts (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- UUIDv7: ordered by time
    author_id  TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    text       TEXT COLLATE "C"    NOT NULL,
    images     TEXT COLLATE "C"    NOT NULL,              -- JSON array of blob hashes, at most 9
    link       TEXT COLLATE "C",                          -- JSON xin_proto::LinkCard, for a shared page
    visibility TEXT COLLATE "C"    NOT NULL,              -- all | private | only | except
    created_at BIGINT  NOT NULL,
    deleted_at BIGINT 
);

CREATE INDEX moment_posts_author ON moment_posts (author_id, id);

CREATE TABLE moment_audience (
    post_id TEXT COLLATE "C" NOT NULL REFERENCES moment_posts (id),
    user_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE moment_blobs (
    hash    TEXT COLLATE "C" NOT NULL REFERENCES blobs (hash),
    post_id TEXT COLLATE "C" NOT NULL REFERENCES moment_posts (id),
    PRIMARY KEY (hash, post_id)
);

CREATE TABLE moment_likes (
    post_id    TEXT COLLATE "C"    NOT NULL REFERENCES moment_posts (id),
    user_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE moment_comments (
    id          TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    post_id     TEXT COLLATE "C"    NOT NULL REFERENCES moment_posts (id),
    author_id   TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    reply_to_id TEXT COLLATE "C",                          -- the user replied to, if a reply
    text        TEXT COLLATE "C"    NOT NULL,
    created_at  BIGINT  NOT NULL,
    deleted_at  BIGINT 
);

CREATE INDEX moment_comments_post ON moment_comments (post_id, id);

CREATE TABLE moment_hidden (
    owner_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    other_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    kind     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (owner_id, other_id, kind)
);

CREATE TABLE moment_prefs (
    user_id   TEXT COLLATE "C"    NOT NULL PRIMARY KEY REFERENCES users (id),
    window_ms BIGINT 
);

CREATE TABLE contact_tags (
    user_id   TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    tag       TEXT COLLATE "C" NOT NULL,
    friend_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (user_id, tag, friend_id)
);

CREATE INDEX contact_tags_friend ON contact_tags (user_id, friend_id);

CREATE TABLE official_accounts (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    owner_id   TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    handle     TEXT COLLATE "C"    NOT NULL,
    handle_key TEXT COLLATE "C"    NOT NULL UNIQUE,  -- lower-cased: handles are unique in any case
    name       TEXT COLLATE "C"    NOT NULL,
    intro      TEXT COLLATE "C"    NOT NULL,
    kind       TEXT COLLATE "C"    NOT NULL,         -- subscription | service
    avatar_hue BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    avatar     TEXT COLLATE "C"
);

CREATE TABLE official_follows (
    account_id TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    user_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    scene      TEXT COLLATE "C",                     -- the QR code's scene value, if followed through one
    since      BIGINT  NOT NULL,
    PRIMARY KEY (account_id, user_id)
);

CREATE INDEX official_follows_user ON official_follows (user_id);

CREATE TABLE official_follower_tags (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES official_accounts (id),
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    tag        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, tag, user_id)
);

CREATE TABLE official_articles (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    account_id TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    title      TEXT COLLATE "C"    NOT NULL,
    cover      TEXT COLLATE "C",
    digest     TEXT COLLATE "C"    NOT NULL,
    author     TEXT COLLATE "C"    NOT NULL,
    body_html  TEXT COLLATE "C"    NOT NULL,         -- already sanitised
    source_url TEXT COLLATE "C",
    created_at BIGINT  NOT NULL
);

CREATE INDEX official_articles_account ON official_articles (account_id, id);

CREATE TABLE official_article_blobs (
    hash       TEXT COLLATE "C" NOT NULL REFERENCES blobs (hash),
    article_id TEXT COLLATE "C" NOT NULL REFERENCES official_articles (id),
    PRIMARY KEY (hash, article_id)
);

CREATE TABLE official_broadcasts (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    account_id TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    articles   TEXT COLLATE "C"    NOT NULL,         -- JSON array of article ids, in order
    tag        TEXT COLLATE "C",
    day        TEXT COLLATE "C"    NOT NULL,         -- UTC date, for the one-a-day rule
    sent_at    BIGINT  NOT NULL
);

CREATE INDEX official_broadcasts_account ON official_broadcasts (account_id, day);

CREATE TABLE official_deliveries (
    broadcast_id TEXT COLLATE "C" NOT NULL REFERENCES official_broadcasts (id),
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    month        TEXT COLLATE "C" NOT NULL,          -- UTC year-month
    PRIMARY KEY (user_id, broadcast_id)
);

CREATE INDEX official_deliveries_month ON official_deliveries (user_id, month);

CREATE TABLE official_reactions (
    article_id TEXT COLLATE "C"    NOT NULL REFERENCES official_articles (id),
    user_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    liked      BIGINT  NOT NULL DEFAULT 0,
    wowed      BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, user_id)
);

CREATE TABLE official_settings (
    account_id   TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES official_accounts (id),
    menu         TEXT COLLATE "C" NOT NULL DEFAULT '{"menus":[]}',   -- JSON xin_proto::OfficialMenu
    auto_replies TEXT COLLATE "C" NOT NULL DEFAULT '{"keywords":[]}' -- JSON xin_proto::AutoReplies
);

CREATE TABLE official_messages (
    id           TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- UUIDv7
    account_id   TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    user_id      TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    from_account BIGINT  NOT NULL,
    text         TEXT COLLATE "C"    NOT NULL,
    created_at   BIGINT  NOT NULL
);

CREATE INDEX official_messages_chat ON official_messages (account_id, user_id, id);

CREATE TABLE official_developer (
    account_id  TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES official_accounts (id),
    webhook_url TEXT COLLATE "C",           -- NULL: no deliveries
    secret      TEXT COLLATE "C" NOT NULL   -- signs deliveries (HMAC-SHA256) and buys access tokens
);

CREATE TABLE official_webhook_queue (
    id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- the delivery id, the same on every retry
    account_id TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    body       TEXT COLLATE "C"    NOT NULL,              -- JSON xin_proto::WebhookEvent
    attempts   BIGINT  NOT NULL DEFAULT 0,
    next_at    BIGINT  NOT NULL,
    state      TEXT COLLATE "C"    NOT NULL               -- pending | delivered | failed
);

CREATE INDEX official_webhook_due ON official_webhook_queue (state, next_at);

CREATE TABLE official_tokens (
    token_hash TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- BLAKE3 of the token
    account_id TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    expires_at BIGINT  NOT NULL
);

CREATE TABLE official_qr (
    code       TEXT COLLATE "C"    NOT NULL PRIMARY KEY,  -- random, base64url
    account_id TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    scene      TEXT COLLATE "C",
    expires_at BIGINT                         -- NULL: never
);

CREATE INDEX official_accounts_avatar ON official_accounts (avatar) WHERE avatar IS NOT NULL;

CREATE TABLE mini_program_signing (
    id     BIGINT  NOT NULL PRIMARY KEY CHECK (id = 1),
    secret BYTEA   NOT NULL
);

CREATE TABLE mini_programs (
    id          TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    app_id      TEXT COLLATE "C"    NOT NULL UNIQUE,        -- the manifest's id
    account_id  TEXT COLLATE "C"    NOT NULL REFERENCES official_accounts (id),
    name        TEXT COLLATE "C"    NOT NULL,
    description TEXT COLLATE "C"    NOT NULL,
    icon        BYTEA   NOT NULL,               -- PNG, from the current package
    manifest    TEXT COLLATE "C"    NOT NULL,               -- JSON, of the current version
    version     TEXT COLLATE "C"    NOT NULL,               -- the current version
    created_at  BIGINT  NOT NULL
);

CREATE INDEX mini_programs_account ON mini_programs (account_id);

CREATE TABLE mini_program_versions (
    mini_program_id TEXT COLLATE "C"    NOT NULL REFERENCES mini_programs (id),
    version         TEXT COLLATE "C"    NOT NULL,
    package         BYTEA   NOT NULL,           -- the zip
    size            BIGINT  NOT NULL,
    hash            TEXT COLLATE "C"    NOT NULL,           -- BLAKE3 of the zip, hex
    signature       TEXT COLLATE "C"    NOT NULL,           -- Ed25519, base64
    published_at    BIGINT  NOT NULL,
    PRIMARY KEY (mini_program_id, version)
);

CREATE TABLE mini_program_users (
    mini_program_id TEXT COLLATE "C"    NOT NULL REFERENCES mini_programs (id),
    user_id         TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    last_used       BIGINT ,
    pinned          BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, mini_program_id)
);

CREATE TABLE mini_program_codes (
    code_hash       TEXT COLLATE "C"    NOT NULL PRIMARY KEY, -- BLAKE3 of the code
    mini_program_id TEXT COLLATE "C"    NOT NULL REFERENCES mini_programs (id),
    user_id         TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT 
);

CREATE TABLE mini_program_orders (
    id              TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    mini_program_id TEXT COLLATE "C"    NOT NULL REFERENCES mini_programs (id),
    out_trade_no    TEXT COLLATE "C"    NOT NULL,
    user_id         TEXT COLLATE "C"    NOT NULL REFERENCES users (id), -- the payer
    openid          TEXT COLLATE "C"    NOT NULL,
    description     TEXT COLLATE "C"    NOT NULL,
    amount_fen      BIGINT  NOT NULL CHECK (amount_fen > 0),
    state           TEXT COLLATE "C"    NOT NULL,           -- created | paid
    transaction_id  TEXT COLLATE "C"    REFERENCES ledger_transactions (id),
    created_at      BIGINT  NOT NULL,
    paid_at         BIGINT ,
    UNIQUE (mini_program_id, out_trade_no)
);

CREATE TABLE mini_program_openids (
    mini_program_id TEXT COLLATE "C" NOT NULL REFERENCES mini_programs (id),
    openid          TEXT COLLATE "C" NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (mini_program_id, openid)
);

CREATE TABLE wallet_requests (
    key         TEXT COLLATE "C"    NOT NULL,
    user_id     TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    fingerprint TEXT COLLATE "C"    NOT NULL,   -- BLAKE3 of the request's parameters
    response    TEXT COLLATE "C"    NOT NULL,   -- JSON
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (key, user_id)
);

CREATE TABLE payment_code_charges (
    id          TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
    payer_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    payee_id    TEXT COLLATE "C"    NOT NULL REFERENCES users (id),
    idem_key    TEXT COLLATE "C"    NOT NULL,             -- the merchant's idempotency key
    fingerprint TEXT COLLATE "C"    NOT NULL,             -- of the merchant's request, for retries
    amount_fen  BIGINT  NOT NULL,
    note        TEXT COLLATE "C"    NOT NULL,
    state       TEXT COLLATE "C"    NOT NULL,             -- pending | paid | declined | expired
    confirmed   BIGINT  NOT NULL,             -- 1 when the payer's PIN let it through
    payment     TEXT COLLATE "C",                         -- the Payment (JSON), once paid
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    UNIQUE (payee_id, idem_key)
);

CREATE INDEX payment_code_charges_payer ON payment_code_charges (payer_id, created_at);
