-- The server's own MAC over each ledger entry's bytes (HMAC-SHA256 under a key derived from the
-- master key), written with the entry. The sequencer folds in only entries whose MAC matches, so a
-- row slipped in with plain SQL is never signed into the tree. Entries from before this column
-- have none.
ALTER TABLE ledger_entries ADD COLUMN mac bytea;
