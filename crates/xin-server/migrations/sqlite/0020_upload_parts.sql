-- Uploads staged in the object store (`--blobs s3://…`): the verified parts of each upload,
-- so whichever node the uploader reaches next continues from the last part, not from zero.
ALTER TABLE uploads ADD COLUMN multipart TEXT;   -- the object store's multipart upload id
ALTER TABLE uploads ADD COLUMN media_type TEXT;  -- sniffed from the first part

CREATE TABLE upload_parts (
    upload_id TEXT NOT NULL,
    part      INTEGER NOT NULL,               -- 0, 1, … : bytes [part × PART, (part + 1) × PART)
    etag      TEXT NOT NULL,     -- what the object store answered for it
    checksums BLOB   NOT NULL,               -- the part's pieces' 32-byte checksums, in order
    PRIMARY KEY (upload_id, part)
);
