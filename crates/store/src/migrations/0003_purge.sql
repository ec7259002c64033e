-- An employer's device deletes a placement 12 weeks after its end and notes it in the audit log
-- as 'purge'. SQLite cannot change a CHECK constraint in place: the table is rebuilt, its rows and
-- their hash chain copied unchanged.
CREATE TABLE audit_log_v3 (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('read', 'write', 'export', 'purge')),
    placement_id TEXT,
    record       TEXT NOT NULL,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
) STRICT;
INSERT INTO audit_log_v3 SELECT seq, at, device_id, actor, role, action, placement_id, record, prev_hash, hash FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v3 RENAME TO audit_log;
