-- Sync state: which documents travel through the relay, with what key, and what is on its way.

-- One row per document that syncs. The document key lives here, inside the encrypted database.
CREATE TABLE sync_docs (
    doc_id          TEXT PRIMARY KEY REFERENCES documents (id),
    doc_key         BLOB NOT NULL,
    epoch           INTEGER NOT NULL,
    relay           TEXT NOT NULL,
    -- The highest server sequence number received.
    cursor          INTEGER NOT NULL DEFAULT 0,
    next_device_seq INTEGER NOT NULL DEFAULT 1,
    -- 1 once the relay knows this device as a member (document created there, or invitation accepted).
    joined          INTEGER NOT NULL DEFAULT 0,
    -- An invitation still to accept at the relay: id and secret, hex.
    invitation      TEXT
) STRICT;

-- Local changes on their way to the relay: queued → sent → acked. Nothing leaves this table
-- before the relay has acknowledged it.
CREATE TABLE outbox (
    doc_id     TEXT NOT NULL REFERENCES documents (id),
    device_seq INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    payload    BLOB NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked')),
    queued_at  TEXT NOT NULL,
    acked_at   TEXT,
    PRIMARY KEY (doc_id, device_seq)
) STRICT;
CREATE INDEX outbox_pending ON outbox (doc_id, state);

-- Records from other devices that could not be opened or applied, kept with the reason.
CREATE TABLE quarantine (
    doc_id     TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    sender     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    record     BLOB NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (doc_id, server_seq)
) STRICT;

-- A readable log of what sync did, per document.
CREATE TABLE sync_log (
    id     INTEGER PRIMARY KEY,
    doc_id TEXT,
    at     TEXT NOT NULL,
    event  TEXT NOT NULL
) STRICT;
CREATE INDEX sync_log_by_doc ON sync_log (doc_id, id);
