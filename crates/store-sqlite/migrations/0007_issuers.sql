-- The passport's issuers: each organisation's signing keys (the private half sealed under a data
-- key that the master key wraps; never stored in the clear), and the trust framework, which
-- lists the credential types (vct) each issuer is trusted for. Instants are INTEGER milliseconds.

CREATE TABLE issuer_keys (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    public_jwk TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    sealed_private BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);
-- One current key per issuer; retired keys stay, so what they signed still verifies.
CREATE UNIQUE INDEX issuer_keys_one_current ON issuer_keys (org_id) WHERE retired_at IS NULL;
CREATE INDEX issuer_keys_by_org ON issuer_keys (org_id, created_at);

CREATE TABLE trusted_issuers (
    org_id BLOB NOT NULL REFERENCES organisations (id),
    vct TEXT NOT NULL,
    added_by BLOB NOT NULL REFERENCES users (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, vct)
);

-- Passport credentials from offer to wallet. Each holds a random index in its issuer's status
-- list; the published list is built from the credentials that are not valid.
CREATE TABLE passport_credentials (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    worker_id BLOB NOT NULL REFERENCES workers (id),
    vct TEXT NOT NULL,
    claims TEXT NOT NULL,
    expires_at INTEGER,
    nonce TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'rejected')),
    offered_by BLOB NOT NULL REFERENCES users (id),
    offered_at INTEGER NOT NULL,
    decided_at INTEGER,
    sd_jwt TEXT,
    holder_jwk TEXT,
    status_idx INTEGER NOT NULL CHECK (status_idx >= 0),
    revocation TEXT NOT NULL DEFAULT 'valid' CHECK (revocation IN ('valid', 'revoked', 'suspended')),
    UNIQUE (org_id, status_idx),
    CHECK ((state = 'accepted') = (sd_jwt IS NOT NULL AND holder_jwk IS NOT NULL))
);
CREATE INDEX passport_credentials_by_worker ON passport_credentials (worker_id, offered_at);
CREATE INDEX passport_credentials_not_valid ON passport_credentials (org_id)
    WHERE revocation <> 'valid';
