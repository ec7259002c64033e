-- Invitations made on this device while the relay could not be reached: the signed request body
-- (opaque to the store: the secret's hash and the bundle sealed under the short code) waits here
-- and is sent before the next sync's pushes.
CREATE TABLE pending_invitations (
    id         TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    body       BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
