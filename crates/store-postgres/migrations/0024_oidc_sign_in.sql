-- Signing in with an organisation's OpenID Connect provider (NHS CIS2, NHSmail's Entra ID).
-- A provider belongs to one organisation; its client secret is sealed under a key derived from
-- the master key, never stored in the clear. An attempt is one trip to the provider: its state
-- (only the hash is kept), nonce and PKCE verifier (RFC 7636), taken once by the callback. A
-- link says which account a provider's subject signs in as, made by an administrator.
CREATE TABLE oidc_providers (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organisations (id),
    issuer_url text NOT NULL,
    client_id text NOT NULL,
    sealed_secret bytea NOT NULL,
    display_name text NOT NULL,
    passwords_off boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX oidc_providers_org ON oidc_providers (org_id);

CREATE TABLE oidc_attempts (
    state_hash text PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES oidc_providers (id),
    nonce text NOT NULL,
    pkce_verifier text NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE oidc_links (
    provider_id uuid NOT NULL REFERENCES oidc_providers (id),
    subject text NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    linked_by uuid NOT NULL REFERENCES users (id),
    linked_at timestamptz NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
