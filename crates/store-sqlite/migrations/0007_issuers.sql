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
