-- Accounts workers registered themselves and have not yet confirmed by email: while its row is
-- here an account cannot sign in. The emailed link's token is kept only as its SHA-256 hash, and
-- confirming deletes the row, so each link works once and only until it expires.
CREATE TABLE account_confirmations (
    user_id uuid PRIMARY KEY REFERENCES users (id),
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL
);
