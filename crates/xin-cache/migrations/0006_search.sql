-- Full-text search over the cached messages, kept in step by triggers wherever a message is
-- written. Two indexes, because SQLite's trigram tokenizer finds nothing under 3 characters
-- and unicode61 reads a run of Chinese as one word:
--   search_long:  trigrams of the text: any substring of 3+ characters.
--   search_short: the text's distinct 1- and 2-character pieces (as hex tokens): 1–2 characters.
-- A doc's id is its message's send time in ms × 1000 (+ a tie-breaker), so newest-first is
-- the index's own order and a page of hits needs no sort.
CREATE TABLE search_docs (
    docid      INTEGER NOT NULL PRIMARY KEY,
    message_id TEXT    NOT NULL UNIQUE
) STRICT;

CREATE VIRTUAL TABLE search_long USING fts5(text, content = '', contentless_delete = 1, tokenize = 'trigram');
CREATE VIRTUAL TABLE search_short USING fts5(grams, content = '', contentless_delete = 1, tokenize = 'unicode61');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
WHEN search_text(new.body) IS NOT NULL
BEGIN
    INSERT INTO search_docs (docid, message_id) VALUES (
        COALESCE((SELECT MAX(docid) + 1 FROM search_docs
                   WHERE docid BETWEEN new.created_at * 1000 AND new.created_at * 1000 + 999),
                 new.created_at * 1000),
        new.id);
    INSERT INTO search_long (rowid, text)
        SELECT docid, search_text(new.body) FROM search_docs WHERE message_id = new.id;
    INSERT INTO search_short (rowid, grams)
        SELECT docid, search_grams(search_text(new.body)) FROM search_docs WHERE message_id = new.id;
END;

CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
BEGIN
    DELETE FROM search_long WHERE rowid = (SELECT docid FROM search_docs WHERE message_id = old.id);
    DELETE FROM search_short WHERE rowid = (SELECT docid FROM search_docs WHERE message_id = old.id);
    DELETE FROM search_docs WHERE message_id = old.id;
END;

-- A recall or an edit of the body: out of the index, and back in if it still has text.
CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages
BEGIN
    DELETE FROM search_long WHERE rowid = (SELECT docid FROM search_docs WHERE message_id = old.id);
    DELETE FROM search_short WHERE rowid = (SELECT docid FROM search_docs WHERE message_id = old.id);
    DELETE FROM search_docs WHERE message_id = old.id;
    INSERT INTO search_docs (docid, message_id)
        SELECT COALESCE((SELECT MAX(docid) + 1 FROM search_docs
                          WHERE docid BETWEEN new.created_at * 1000 AND new.created_at * 1000 + 999),
                        new.created_at * 1000),
               new.id
         WHERE search_text(new.body) IS NOT NULL;
    INSERT INTO search_long (rowid, text)
        SELECT docid, search_text(new.body) FROM search_docs WHERE message_id = new.id;
    INSERT INTO search_short (rowid, grams)
        SELECT docid, search_grams(search_text(new.body)) FROM search_docs WHERE message_id = new.id;
END;

-- Messages cached before search existed.
INSERT INTO search_docs (docid, message_id)
    SELECT created_at * 1000 + (ROW_NUMBER() OVER (PARTITION BY created_at ORDER BY id) - 1), id
      FROM messages WHERE search_text(body) IS NOT NULL;
INSERT INTO search_long (rowid, text)
    SELECT d.docid, search_text(m.body) FROM search_docs d JOIN messages m ON m.id = d.message_id;
INSERT INTO search_short (rowid, grams)
    SELECT d.docid, search_grams(search_text(m.body)) FROM search_docs d JOIN messages m ON m.id = d.message_id;
