-- The audit ledger. Entries, leaves, subtrees and tree heads are append-only: the triggers below
-- refuse every update and delete. Hashes are 32-byte blobs; instants are INTEGER milliseconds.

CREATE TABLE ledger_entries (
    id BLOB PRIMARY KEY,
    recorded_at INTEGER NOT NULL,
    action TEXT NOT NULL,
    tenant BLOB,
    subject BLOB,
    body BLOB NOT NULL
);
CREATE INDEX ledger_entries_subject ON ledger_entries (subject, recorded_at, id);

-- Work queue of entries the sequencer has not reached; rows leave it when sequenced.
CREATE TABLE ledger_pending (
    entry_id BLOB PRIMARY KEY REFERENCES ledger_entries (id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX ledger_pending_order ON ledger_pending (recorded_at, entry_id);

CREATE TABLE ledger_leaves (
    seq INTEGER PRIMARY KEY,
    entry_id BLOB NOT NULL UNIQUE REFERENCES ledger_entries (id),
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    sequenced_at INTEGER NOT NULL
);

-- Every complete subtree's hash as sealed at sequencing, leaves (level 0) included: a second,
-- independent copy of each leaf hash that lets verification name exactly which entry changed.
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_heads (
    size INTEGER NOT NULL,
    root BLOB NOT NULL CHECK (length(root) = 32),
    signed_at INTEGER NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (size, signed_at)
);

CREATE TABLE ledger_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder BLOB NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE person_keys (
    subject BLOB PRIMARY KEY,
    wrapped BLOB,
    created_at INTEGER NOT NULL,
    erased_at INTEGER,
    erasure_reason TEXT
);

CREATE TRIGGER ledger_entries_append_only_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_entries_append_only_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_leaves_append_only_update BEFORE UPDATE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_leaves_append_only_delete BEFORE DELETE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_nodes_append_only_update BEFORE UPDATE ON ledger_nodes
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_nodes_append_only_delete BEFORE DELETE ON ledger_nodes
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_heads_append_only_update BEFORE UPDATE ON ledger_heads
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
CREATE TRIGGER ledger_heads_append_only_delete BEFORE DELETE ON ledger_heads
BEGIN SELECT RAISE(ABORT, 'ledger_append_only'); END;
