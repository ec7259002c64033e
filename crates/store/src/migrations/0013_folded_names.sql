-- The candidate's and the employer's name as the search compares them, lower-cased by Unicode's
-- rules (`search::fold`; SQLite's lower() folds ASCII only: «Øystein»), so the search picks the
-- placements whose names hold the query in SQL instead of reading every placement's names. The
-- projection writes them; a store written before this migration has them filled once from the
-- names it holds (`schema::FOLDED_NAMES_FROM`).
ALTER TABLE placements ADD COLUMN candidate_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE placements ADD COLUMN employer_folded TEXT NOT NULL DEFAULT '';
