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

-- Passport credentials from offer to wallet. Each holds a random index in its issuer's status
-- list; the published list is built from the credentials that are not valid.
CREATE TABLE passport_credentials (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    worker_id uuid NOT NULL REFERENCES workers (id),
    vct text NOT NULL,
    claims text NOT NULL,
    expires_at timestamptz,
    nonce text NOT NULL,
    state text NOT NULL CHECK (state IN ('offered', 'accepted', 'rejected')),
    offered_by uuid NOT NULL REFERENCES users (id),
    offered_at timestamptz NOT NULL,
    decided_at timestamptz,
    sd_jwt text,
    holder_jwk text,
    status_idx integer NOT NULL CHECK (status_idx >= 0),
    revocation text NOT NULL DEFAULT 'valid' CHECK (revocation IN ('valid', 'revoked', 'suspended')),
    CONSTRAINT passport_credentials_status_idx UNIQUE (org_id, status_idx),
    CHECK ((state = 'accepted') = (sd_jwt IS NOT NULL AND holder_jwk IS NOT NULL))
);
CREATE INDEX passport_credentials_by_worker ON passport_credentials (worker_id, offered_at);
CREATE INDEX passport_credentials_not_valid ON passport_credentials (org_id)
    WHERE revocation <> 'valid';
