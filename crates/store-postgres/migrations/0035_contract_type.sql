-- A worker's contract (part-time or full-time) as the bank office of each bank records it. It
-- moves from the worker, which every trust shares, to the membership, which only the trust that
-- runs the bank may change: one trust's record never overwrites another's.
ALTER TABLE bank_memberships ADD COLUMN contract text
    CHECK (contract IN ('part_time', 'full_time'));
UPDATE bank_memberships m SET contract = w.contract FROM workers w WHERE w.id = m.worker_id;
ALTER TABLE workers DROP COLUMN contract;

-- The fairness auditor's weekly run: one row per bank and ISO week (e.g. '2026-W49') written in
-- the transaction of its ledger entry, so two servers, or a sweep run twice, record a week once.
CREATE TABLE fairness_weekly_runs (
    bank_id uuid NOT NULL REFERENCES banks (id),
    week text NOT NULL,
    PRIMARY KEY (bank_id, week)
);
