-- QR-login tickets: pending -> scanned -> confirmed | declined | expired, single use.
CREATE TABLE login_tickets (
    id                   TEXT    NOT NULL PRIMARY KEY,
    poll_hash            TEXT    NOT NULL,
    phase                TEXT    NOT NULL,
    device_name          TEXT    NOT NULL,
    device_kind          TEXT    NOT NULL,
    device_os            TEXT    NOT NULL,
    device_app_version   TEXT    NOT NULL,
    ip                   TEXT    NOT NULL,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    user_id              TEXT    REFERENCES users (id),   -- who scanned, or the remembered account
    remembered_device_id TEXT    REFERENCES devices (id), -- set for one-tap sign-in
    code                 TEXT,                            -- the two digits the desktop shows
    choices              TEXT,                            -- the three the phone offers, comma-separated
    delivered            INTEGER NOT NULL DEFAULT 0        -- the session went to the poll-secret holder
) STRICT;
CREATE INDEX login_tickets_user ON login_tickets (user_id, phase);
