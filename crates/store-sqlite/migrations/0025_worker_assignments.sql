-- A worker's ESR assignment with a trust, as an ESR staff extract names it: the natural key that
-- makes importing the same extract twice change nothing. An assignment number is unique within
-- the trust that issued it.
CREATE TABLE worker_assignments (
    org_id BLOB NOT NULL REFERENCES organisations (id),
    assignment_number TEXT NOT NULL,
    worker_id BLOB NOT NULL REFERENCES workers (id),
    contract_type TEXT NOT NULL,
    registration_body TEXT,
    registration_number TEXT,
    PRIMARY KEY (org_id, assignment_number)
);
CREATE INDEX worker_assignments_worker ON worker_assignments (worker_id);
