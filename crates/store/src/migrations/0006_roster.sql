-- Who may write: each syncing document's anchor (the adviser device that created it, named by
-- the invitation this device accepted, or this device itself) and the signed membership
-- statements (grants, claims, revocations) this device holds for it. The statements are opaque
-- here; the sync engine verifies them (`folgesvenn_protocol::roster`).
ALTER TABLE sync_docs ADD COLUMN anchor_device TEXT;
ALTER TABLE sync_docs ADD COLUMN anchor_key BLOB;
ALTER TABLE sync_docs ADD COLUMN anchor_name TEXT;
ALTER TABLE sync_docs ADD COLUMN anchor_box BLOB;
-- The role the accepted invitation gave this device for the document ('adviser', 'employer'):
-- what it may write there, whatever role it was set up with.
ALTER TABLE sync_docs ADD COLUMN member_role TEXT;

CREATE TABLE roster_statements (
    doc_id    TEXT NOT NULL,
    hash      BLOB NOT NULL,
    statement BLOB NOT NULL,
    PRIMARY KEY (doc_id, hash)
) STRICT;

-- Every key a document has had (a removal rotates it: a new epoch). Records are opened with the
-- key of their epoch; new ones are sealed under the newest, which sync_docs also holds.
CREATE TABLE doc_keys (
    doc_id TEXT NOT NULL,
    epoch  INTEGER NOT NULL,
    key    BLOB NOT NULL,
    PRIMARY KEY (doc_id, epoch, key)
) STRICT;
INSERT INTO doc_keys (doc_id, epoch, key) SELECT doc_id, epoch, doc_key FROM sync_docs;
