-- Finding who holds a wallet key, so one key is never bound to two workers' credentials.
CREATE INDEX passport_credentials_holder ON passport_credentials (holder_jwk);
