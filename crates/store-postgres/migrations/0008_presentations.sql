-- Presentation requests: a verifier trust asks a worker for claims of one credential type, for a
-- stated purpose, with a fresh nonce; the worker declines or presents once, and the outcome of
-- every check is kept. The worker's list of requests is their access log.
CREATE TABLE presentation_requests (
    id uuid PRIMARY KEY,
    verifier_org uuid NOT NULL REFERENCES organisations (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    vct text NOT NULL,
    claims text NOT NULL,
    purpose text NOT NULL,
    nonce text NOT NULL CONSTRAINT presentation_requests_nonce UNIQUE,
    requested_by uuid NOT NULL REFERENCES users (id),
    requested_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'declined', 'verified', 'failed')),
    decided_at timestamptz,
    result text
);
CREATE INDEX presentation_requests_by_worker ON presentation_requests (worker_id, requested_at);
