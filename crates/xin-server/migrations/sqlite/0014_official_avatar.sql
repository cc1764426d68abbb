-- An official account's picture: a blob its owner uploaded, public to anyone signed in (like
-- its articles' pictures). NULL: the generated initial on its hue.
ALTER TABLE official_accounts ADD COLUMN avatar TEXT;
CREATE INDEX official_accounts_avatar ON official_accounts (avatar) WHERE avatar IS NOT NULL;
