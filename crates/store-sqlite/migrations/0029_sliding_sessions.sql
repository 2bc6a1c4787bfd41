-- Sessions slide: each use moves expires_at on by the idle time, never past the absolute expiry
-- set at sign-in. Sessions made before this have none, and end at their fixed expiry.
ALTER TABLE sessions ADD COLUMN absolute_expires_at INTEGER;
