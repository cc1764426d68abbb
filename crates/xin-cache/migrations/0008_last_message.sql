-- A chat's last message as facts (JSON crate::preview::Preview) rather than English words, so
-- the chat list words it in the reader's language; it also holds the system line's event.
ALTER TABLE conversations ADD COLUMN last_message TEXT;
ALTER TABLE conversations DROP COLUMN preview_event;
ALTER TABLE conversations DROP COLUMN preview;
