-- A worker's contract (part-time or full-time) as the bank office of each bank records it. It
-- moves from the worker, which every trust shares, to the membership, which only the trust that
-- runs the bank may change: one trust's record never overwrites another's.
ALTER TABLE bank_memberships ADD COLUMN contract text
    CHECK (contract IN ('part_time', 'full_time'));
UPDATE bank_memberships m SET contract = w.contract FROM workers w WHERE w.id = m.worker_id;
ALTER TABLE workers DROP COLUMN contract;

