-- Every charge of a payment code: what it let through without the payer's PIN (the per-charge
-- and per-24-hours no-PIN limits are counted over these), and charges above those limits that
-- wait for the payer to confirm them on the phone with their PIN.
CREATE TABLE payment_code_charges (
    id          TEXT    NOT NULL PRIMARY KEY,
    payer_id    TEXT    NOT NULL REFERENCES users (id),
    payee_id    TEXT    NOT NULL REFERENCES users (id),
    idem_key    TEXT    NOT NULL,             -- the merchant's idempotency key
    fingerprint TEXT    NOT NULL,             -- of the merchant's request, for retries
    amount_fen  INTEGER NOT NULL,
    note        TEXT    NOT NULL,
    state       TEXT    NOT NULL,             -- pending | paid | declined | expired
    confirmed   INTEGER NOT NULL,             -- 1 when the payer's PIN let it through
    payment     TEXT,                         -- the Payment (JSON), once paid
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    UNIQUE (payee_id, idem_key)
) STRICT;
CREATE INDEX payment_code_charges_payer ON payment_code_charges (payer_id, created_at);
