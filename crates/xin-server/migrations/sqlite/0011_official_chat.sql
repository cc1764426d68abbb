-- Chatting with official accounts: each account's menu and auto-replies, and the messages
-- between a follower and the account (auto-replies and staff answers included).
CREATE TABLE official_settings (
    account_id   TEXT NOT NULL PRIMARY KEY REFERENCES official_accounts (id),
    menu         TEXT NOT NULL DEFAULT '{"menus":[]}',   -- JSON xin_proto::OfficialMenu
    auto_replies TEXT NOT NULL DEFAULT '{"keywords":[]}' -- JSON xin_proto::AutoReplies
) STRICT;

CREATE TABLE official_messages (
    id           TEXT    NOT NULL PRIMARY KEY,  -- UUIDv7
    account_id   TEXT    NOT NULL REFERENCES official_accounts (id),
    user_id      TEXT    NOT NULL REFERENCES users (id),
    from_account INTEGER NOT NULL,
    text         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX official_messages_chat ON official_messages (account_id, user_id, id);
