-- QR payments: a payer scans a receive code and pays, or a merchant scans a payer's one-time
-- payment code and charges it. Either way the money moves at once, wallet to wallet, as one
-- ledger transaction of kind payment_receive_code or payment_code.

-- One-time payment codes: at most one live code per device, valid for a minute, used once.
CREATE TABLE payment_codes (
    code       TEXT    NOT NULL PRIMARY KEY,  -- 18 digits
    user_id    TEXT    NOT NULL REFERENCES users (id),
    device_id  TEXT    NOT NULL REFERENCES devices (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE INDEX payment_codes_device ON payment_codes (device_id);
