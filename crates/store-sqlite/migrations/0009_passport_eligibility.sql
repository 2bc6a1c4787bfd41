-- A credential record can stand for a passport credential, so booking eligibility uses what the
-- passport proves: added when the worker accepts it, revoked the moment the passport credential is
-- revoked or suspended, and recorded again when it is reinstated.
ALTER TABLE credentials ADD COLUMN passport_id BLOB REFERENCES passport_credentials (id);
CREATE INDEX credentials_by_passport ON credentials (passport_id) WHERE passport_id IS NOT NULL;
