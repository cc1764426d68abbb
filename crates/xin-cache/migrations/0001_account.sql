-- One database per signed-in account: everything the UI shows comes from here.
CREATE TABLE profile (
    user_id      TEXT    NOT NULL PRIMARY KEY,
    handle       TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    avatar_hue   INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    os             TEXT    NOT NULL,
    app_version    TEXT    NOT NULL,
    ip             TEXT    NOT NULL,
    last_active_at INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    is_current     INTEGER NOT NULL,
    signed_in      INTEGER NOT NULL
) STRICT;
