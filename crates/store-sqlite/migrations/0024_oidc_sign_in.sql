-- Signing in with an organisation's OpenID Connect provider (NHS CIS2, NHSmail's Entra ID).
-- A provider belongs to one organisation; its client secret is sealed under a key derived from
-- the master key, never stored in the clear. An attempt is one trip to the provider: its state
-- (only the hash is kept), nonce and PKCE verifier (RFC 7636), taken once by the callback. A
-- link says which account a provider's subject signs in as, made by an administrator.
CREATE TABLE oidc_providers (
    id BLOB PRIMARY KEY,
    org_id BLOB NOT NULL REFERENCES organisations (id),
    issuer_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    display_name TEXT NOT NULL,
    passwords_off INTEGER NOT NULL CHECK (passwords_off IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE INDEX oidc_providers_org ON oidc_providers (org_id);

CREATE TABLE oidc_attempts (
    state_hash TEXT PRIMARY KEY,
    provider_id BLOB NOT NULL REFERENCES oidc_providers (id),
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE oidc_links (
    provider_id BLOB NOT NULL REFERENCES oidc_providers (id),
    subject TEXT NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    linked_by BLOB NOT NULL REFERENCES users (id),
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
