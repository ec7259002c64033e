-- Half-written forms, saved as the user types so a crash loses nothing: encrypted with the rest
-- of the database, never in the webview's own (plain-text) storage. Keyed by form and scope
-- (e.g. `daily-log.<placement id>`), one value per key, JSON the UI reads back.
CREATE TABLE drafts (
    key      TEXT PRIMARY KEY,
    value    TEXT NOT NULL,
    saved_at TEXT NOT NULL
) STRICT;
