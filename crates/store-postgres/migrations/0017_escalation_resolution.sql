-- The ward manager closes an escalation once, saying what was done; it stays listed, resolved.
ALTER TABLE escalations ADD COLUMN resolved_by uuid REFERENCES users (id);
ALTER TABLE escalations ADD COLUMN resolved_at timestamptz;
ALTER TABLE escalations ADD COLUMN resolution text;
