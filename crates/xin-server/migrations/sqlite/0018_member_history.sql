-- Someone added to a group reads the messages (and files) sent from the moment they joined,
-- not the group's earlier history, as in WeChat. Members from before this keep everything.
ALTER TABLE members ADD COLUMN history_from INTEGER NOT NULL DEFAULT 0;
