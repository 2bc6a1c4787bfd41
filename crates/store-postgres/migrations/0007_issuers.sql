-- The passport's issuers: each organisation's signing keys (the private half sealed under a data
-- key that the master key wraps; never stored in the clear), and the trust framework, which
-- lists the credential types (vct) each issuer is trusted for.

CREATE TABLE issuer_keys (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    public_jwk text NOT NULL,
    wrapped_key bytea NOT NULL,
    sealed_private bytea NOT NULL,
    created_at timestamptz NOT NULL,
    retired_at timestamptz
);
-- One current key per issuer; retired keys stay, so what they signed still verifies.
CREATE UNIQUE INDEX issuer_keys_one_current ON issuer_keys (org_id) WHERE retired_at IS NULL;
CREATE INDEX issuer_keys_by_org ON issuer_keys (org_id, created_at);

CREATE TABLE trusted_issuers (
    org_id uuid NOT NULL REFERENCES organisations (id),
    vct text NOT NULL,
    added_by uuid NOT NULL REFERENCES users (id),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, vct)
);
