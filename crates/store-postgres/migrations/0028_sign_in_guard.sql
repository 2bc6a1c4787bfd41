-- Refused password sign-ins, kept in an ordinary table that the sweeps prune (never the ledger,
-- which an anonymous client could otherwise grow without bound). Each row names the account
-- tried, by a hash of its email whether or not the account exists, and the client's address:
-- enough to slow guessing per account and per address.
CREATE TABLE sign_in_failures (
    id uuid PRIMARY KEY,
    account_key text NOT NULL,
    address text,
    at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_by_account ON sign_in_failures (account_key, at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);
