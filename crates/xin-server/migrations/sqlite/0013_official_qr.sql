-- QR codes to follow an official account by, each with an optional scene value (reported with
-- every follow through it) and an optional expiry.
CREATE TABLE official_qr (
    code       TEXT    NOT NULL PRIMARY KEY,  -- random, base64url
    account_id TEXT    NOT NULL REFERENCES official_accounts (id),
    scene      TEXT,
    expires_at INTEGER                        -- NULL: never
) STRICT;
