-- The audit ledger. Entries, leaves, subtrees and tree heads are append-only: the trigger below
-- refuses every update, delete and truncate.

CREATE TABLE ledger_entries (
    id uuid PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    action text NOT NULL,
    tenant uuid,
    subject uuid,
    body bytea NOT NULL
);
CREATE INDEX ledger_entries_subject ON ledger_entries (subject, recorded_at, id);

-- Work queue of entries the sequencer has not reached; rows leave it when sequenced.
CREATE TABLE ledger_pending (
    entry_id uuid PRIMARY KEY REFERENCES ledger_entries (id),
    recorded_at timestamptz NOT NULL
);
CREATE INDEX ledger_pending_order ON ledger_pending (recorded_at, entry_id);

CREATE TABLE ledger_leaves (
    seq bigint PRIMARY KEY CHECK (seq >= 0),
    entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entries (id),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    sequenced_at timestamptz NOT NULL
);

-- Every complete subtree's hash as sealed at sequencing, leaves (level 0) included: a second,
-- independent copy of each leaf hash that lets verification name exactly which entry changed.
CREATE TABLE ledger_nodes (
    level smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
    idx bigint NOT NULL,
    hash bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_heads (
    size bigint NOT NULL,
    root bytea NOT NULL CHECK (length(root) = 32),
    signed_at bigint NOT NULL,
    signature bytea NOT NULL,
    PRIMARY KEY (size, signed_at)
);

CREATE TABLE ledger_lease (
    id integer PRIMARY KEY CHECK (id = 1),
    holder uuid NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE person_keys (
    subject uuid PRIMARY KEY,
    wrapped bytea,
    created_at timestamptz NOT NULL,
    erased_at timestamptz,
    erasure_reason text
);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_append_only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_leaves_append_only BEFORE UPDATE OR DELETE ON ledger_leaves
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_leaves_no_truncate BEFORE TRUNCATE ON ledger_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_heads_append_only BEFORE UPDATE OR DELETE ON ledger_heads
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_heads_no_truncate BEFORE TRUNCATE ON ledger_heads
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
