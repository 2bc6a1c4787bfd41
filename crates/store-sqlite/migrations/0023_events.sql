-- Other systems following the ledger: where each reader of the event feed (the NATS publisher)
-- has got to, and the webhook subscribers a trust registers. Positions are ledger indexes: the
-- next entry to publish or deliver. Instants are INTEGER milliseconds.

CREATE TABLE event_cursors (
    name TEXT PRIMARY KEY,
    next_seq INTEGER NOT NULL CHECK (next_seq >= 0)
);

CREATE TABLE webhooks (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    url TEXT NOT NULL,
    actions TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_seq INTEGER NOT NULL CHECK (next_seq >= 0),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    retry_at INTEGER,
    last_error TEXT,
    dead_at INTEGER
);
CREATE INDEX webhooks_org ON webhooks (org_id, created_at);
CREATE INDEX webhooks_due ON webhooks (retry_at) WHERE dead_at IS NULL;
