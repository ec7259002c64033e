-- Why a placement ended or was cancelled (a `CloseReason` code), shown with its end date.
ALTER TABLE placements ADD COLUMN closed_reason TEXT;

-- The day this device's own write ended a placement (days since 1970-01-01), or NULL when its own
-- write reopened it, until the relay has been told: employer devices lose access 12 weeks after
-- it. Only an adviser device's own writes land here, never a value merged from elsewhere, and a
-- row outlives an offline spell or a placement not yet shared. Keyed by the shared document.
CREATE TABLE end_day_notices (
    doc_id  TEXT PRIMARY KEY,
    end_day INTEGER
) STRICT;
