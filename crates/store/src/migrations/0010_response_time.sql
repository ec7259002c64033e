-- The agreed time for NAV to answer a contact request, in Norwegian working days (NULL: not
-- agreed, the domain's default applies).
ALTER TABLE placements ADD COLUMN response_days INTEGER;
