-- Følgesvenn local store, first schema. Shipped migrations are never edited: add a new file.

-- Non-secret facts about this device and store.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The source of truth: each automerge document as a snapshot plus the changes saved after it.
CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('shared', 'private')),
    snapshot     BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    compacted_at TEXT NOT NULL,
    UNIQUE (placement_id, kind)
) STRICT;

CREATE TABLE doc_changes (
    doc_id   TEXT NOT NULL REFERENCES documents (id),
    seq      INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    origin   TEXT NOT NULL CHECK (origin IN ('local', 'remote')),
    saved_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
) STRICT;

-- Projections: rebuilt from the documents, updated in the same transaction as every change.
CREATE TABLE placements (
    id             TEXT PRIMARY KEY,
    candidate_name TEXT NOT NULL,
    employer_name  TEXT NOT NULL,
    employer_org   TEXT NOT NULL,
    adviser_name   TEXT NOT NULL,
    measure        TEXT NOT NULL,
    status         TEXT NOT NULL,
    start_date     TEXT NOT NULL,
    end_date       TEXT,
    closed_on      TEXT,
    hours_per_week REAL NOT NULL
) STRICT;

CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    place        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    next_visit   TEXT,
    corrects     TEXT,
    recorded_by  TEXT NOT NULL
) STRICT;
CREATE INDEX visits_by_placement ON visits (placement_id, at);
CREATE INDEX visits_by_corrects ON visits (corrects);

CREATE TABLE observations (
    id              TEXT PRIMARY KEY,
    placement_id    TEXT NOT NULL,
    date            TEXT NOT NULL,
    attendance      TEXT NOT NULL,
    hours           REAL NOT NULL,
    tasks_done      TEXT NOT NULL,
    went_well       TEXT NOT NULL,
    problem         TEXT NOT NULL,
    wants_contact   INTEGER NOT NULL,
    logged_by       TEXT NOT NULL,
    logged_at       TEXT NOT NULL
) STRICT;
CREATE INDEX observations_by_placement ON observations (placement_id, date);

CREATE TABLE contact_requests (
    id              TEXT PRIMARY KEY,
    placement_id    TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    raised_by       TEXT NOT NULL,
    message         TEXT NOT NULL,
    acknowledged_at TEXT,
    resolved_at     TEXT,
    resolution      TEXT NOT NULL
) STRICT;
CREATE INDEX contact_requests_by_placement ON contact_requests (placement_id, resolved_at);

CREATE TABLE actions (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    what         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    due          TEXT,
    status       TEXT NOT NULL,
    visit_id     TEXT,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX actions_by_placement ON actions (placement_id, status, due);

CREATE TABLE notes (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    private      INTEGER NOT NULL,
    author       TEXT NOT NULL,
    written_at   TEXT NOT NULL,
    body         TEXT NOT NULL,
    reply_to     TEXT,
    visit_id     TEXT
) STRICT;
CREATE INDEX notes_by_placement ON notes (placement_id, written_at);

CREATE TABLE training_tasks (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    title        TEXT NOT NULL,
    responsible  TEXT NOT NULL,
    target_date  TEXT,
    status       TEXT NOT NULL,
    position     REAL NOT NULL
) STRICT;
CREATE INDEX training_tasks_by_placement ON training_tasks (placement_id, position);

CREATE TABLE goals (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    category     TEXT NOT NULL,
    description  TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX goals_by_placement ON goals (placement_id);

CREATE TABLE adaptations (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    description  TEXT NOT NULL,
    agreed_on    TEXT NOT NULL,
    active       INTEGER NOT NULL
) STRICT;
CREATE INDEX adaptations_by_placement ON adaptations (placement_id);

CREATE TABLE contact_persons (
    id           TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    email        TEXT NOT NULL
) STRICT;
CREATE INDEX contact_persons_by_placement ON contact_persons (placement_id);

-- Fields two devices changed concurrently ("endret på begge enhetene"), kept per record so that
-- opening a placement need not walk its documents to find them.
CREATE TABLE conflicts (
    placement_id TEXT NOT NULL,
    doc_kind     TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    path         TEXT NOT NULL,
    vals         TEXT NOT NULL,
    PRIMARY KEY (path, doc_kind)
) STRICT;
CREATE INDEX conflicts_by_record ON conflicts (placement_id, doc_kind, record_key);

-- Full-text search over what people wrote. `search_docs` holds the text; the FTS5 index follows it
-- through triggers (an external-content table), so updating one record's text is one row.
-- unicode61 without diacritic removal keeps æ, ø and å distinct letters, as Norwegian needs.
CREATE TABLE search_docs (
    rowid        INTEGER PRIMARY KEY,
    record_id    TEXT NOT NULL UNIQUE,
    placement_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL
) STRICT;
CREATE INDEX search_docs_by_placement ON search_docs (placement_id);

CREATE VIRTUAL TABLE search USING fts5 (
    body,
    content = 'search_docs',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3 4'
);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search (rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search (search, rowid, body) VALUES ('delete', old.rowid, old.body);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search (search, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO search (rowid, body) VALUES (new.rowid, new.body);
END;

-- Who read, wrote or exported which record, when, on which device. Each entry's hash covers the
-- previous entry's hash, so editing or removing one breaks the chain at that entry.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('read', 'write', 'export')),
    placement_id TEXT,
    record       TEXT NOT NULL,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
) STRICT;
