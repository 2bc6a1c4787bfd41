-- A worker's ESR assignment with a trust, as an ESR staff extract names it: the natural key that
-- makes importing the same extract twice change nothing. An assignment number is unique within
-- the trust that issued it.
CREATE TABLE worker_assignments (
    org_id uuid NOT NULL REFERENCES organisations (id),
    assignment_number text NOT NULL,
    worker_id uuid NOT NULL REFERENCES workers (id),
    contract_type text NOT NULL,
    registration_body text,
    registration_number text,
    PRIMARY KEY (org_id, assignment_number)
);
CREATE INDEX worker_assignments_worker ON worker_assignments (worker_id);
