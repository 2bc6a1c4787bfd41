-- The ward manager closes an escalation once, saying what was done; it stays listed, resolved.
ALTER TABLE escalations ADD COLUMN resolved_by BLOB REFERENCES users (id);
ALTER TABLE escalations ADD COLUMN resolved_at INTEGER;
ALTER TABLE escalations ADD COLUMN resolution TEXT;
