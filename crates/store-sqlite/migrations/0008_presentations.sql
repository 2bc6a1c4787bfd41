-- Presentation requests: a verifier trust asks a worker for claims of one credential type, for a
-- stated purpose, with a fresh nonce; the worker declines or presents once, and the outcome of
-- every check is kept. The worker's list of requests is their access log.
CREATE TABLE presentation_requests (
    id BLOB PRIMARY KEY,
    verifier_org BLOB NOT NULL REFERENCES organisations (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    vct TEXT NOT NULL,
    claims TEXT NOT NULL,
    purpose TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    requested_by BLOB NOT NULL REFERENCES users (id),
    requested_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'declined', 'verified', 'failed')),
    decided_at INTEGER,
    result TEXT
);
CREATE INDEX presentation_requests_by_worker ON presentation_requests (worker_id, requested_at);
