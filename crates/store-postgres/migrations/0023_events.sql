-- Other systems following the ledger: where each reader of the event feed (the NATS publisher)
-- has got to, and the webhook subscribers a trust registers. Positions are ledger indexes: the
-- next entry to publish or deliver.

CREATE TABLE event_cursors (
    name text PRIMARY KEY,
    next_seq bigint NOT NULL CHECK (next_seq >= 0)
);

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    url text NOT NULL,
    actions text[] NOT NULL,
    secret text NOT NULL,
    created_at timestamptz NOT NULL,
    next_seq bigint NOT NULL CHECK (next_seq >= 0),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    retry_at timestamptz,
    last_error text,
    dead_at timestamptz
);
CREATE INDEX webhooks_org ON webhooks (org_id, created_at);
CREATE INDEX webhooks_due ON webhooks (retry_at) WHERE dead_at IS NULL;
