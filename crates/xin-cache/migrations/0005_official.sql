-- Official accounts as this account last read them, so Subscriptions, account chats and
-- articles open offline and at once: the server's answers by what was asked (it alone decides
-- what I may see), and what arrived since I last looked at each account.
CREATE TABLE official_cache (
    key  TEXT NOT NULL PRIMARY KEY,  -- "subscriptions", "accounts", "chat:<id>", "article:<id>", ...
    body TEXT NOT NULL               -- the server's JSON answer
);

CREATE TABLE official_unread (
    account_id TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT,                 -- subscription | service, once a broadcast told it
    broadcasts INTEGER NOT NULL DEFAULT 0,
    messages   INTEGER NOT NULL DEFAULT 0
);
