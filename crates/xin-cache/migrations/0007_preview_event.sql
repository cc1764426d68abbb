-- A chat's preview, when its newest message is a system line: the event (JSON
-- xin_proto::SystemEvent), for the UI to say it in the reader's language.
ALTER TABLE conversations ADD COLUMN preview_event TEXT;
