-- Deleting from the full-text index removes the entries from its segments at once (FTS5's
-- 'secure-delete', SQLite 3.42 or later, kept in `search_config` so every connection has it),
-- instead of adding tombstones beside them that leave the deleted words in `search_data` until
-- the segments happen to be merged. An employer's purge must leave no word of the placement.
INSERT INTO search (search, rank) VALUES ('secure-delete', 1);
-- What earlier deletes left: merge every segment into one, which drops the deleted entries.
INSERT INTO search (search) VALUES ('optimize');
