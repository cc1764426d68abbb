-- The app-wide database: which account this computer remembers, per server.
CREATE TABLE remembered_accounts (
    server       TEXT    NOT NULL PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    handle       TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    avatar_hue   INTEGER NOT NULL,
    device_id    TEXT    NOT NULL
) STRICT;
