-- Accounts, their devices and device sessions. Tokens are stored only as BLAKE3 hashes.
CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,
    handle        TEXT    NOT NULL,
    handle_key    TEXT    NOT NULL UNIQUE,  -- lower-cased handle: handles are unique ignoring case
    phone         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    avatar_hue    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
    id             TEXT    NOT NULL PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id),
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    os             TEXT    NOT NULL,
    app_version    TEXT    NOT NULL,
    ip             TEXT    NOT NULL,
    remember_hash  TEXT    UNIQUE,          -- set while the device may ask for one-tap sign-in
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    removed_at     INTEGER                  -- signed out from elsewhere: gone from the list
) STRICT;
CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE sessions (
    id                 TEXT    NOT NULL PRIMARY KEY,
    user_id            TEXT    NOT NULL REFERENCES users (id),
    device_id          TEXT    NOT NULL REFERENCES devices (id),
    access_hash        TEXT    NOT NULL UNIQUE,
    access_expires_at  INTEGER NOT NULL,
    refresh_hash       TEXT    NOT NULL UNIQUE,
    created_at         INTEGER NOT NULL,
    revoked_at         INTEGER
) STRICT;
CREATE INDEX sessions_device ON sessions (device_id);

-- Refresh tokens already used once. Presenting one again means it leaked: the session ends.
CREATE TABLE retired_refresh_tokens (
    hash       TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id)
) STRICT;
