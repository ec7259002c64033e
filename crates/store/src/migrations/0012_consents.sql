-- The candidate's consents as the adviser's private document holds them (adviser devices only):
-- whether each lets the employer take part. Sync reads it to finish a withdrawal whose removal of
-- the employer's devices did not complete; a store written before this migration has it filled
-- once from its documents (`schema::REPROJECT_FROM`).
CREATE TABLE consents (
    id              TEXT PRIMARY KEY,
    placement_id    TEXT NOT NULL,
    allows_employer INTEGER NOT NULL,
    withdrawn_at    TEXT
) STRICT;
CREATE INDEX consents_by_placement ON consents (placement_id);
