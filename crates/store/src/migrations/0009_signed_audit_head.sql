-- From here on the audit log's head in `meta` ('audit_head') has a signature beside it
-- ('audit_head_sig'), made with the device's Ed25519 key. Nothing to change in the tables: the
-- code signs the existing head once as a store reaches this version (`schema::migrate`).
SELECT 1;
