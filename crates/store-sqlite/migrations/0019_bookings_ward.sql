-- Continuity ("worked this ward before") is read for every member of a candidate pool. Read through
-- the ward's shifts it cost one lookup per past shift of the ward, so it grew with the ward's
-- history. A shift never changes ward, so the booking keeps a copy of it, written from the shift
-- row in the same insert, and the question becomes one index range. (SQLite cannot add a NOT NULL
-- column without a default; every insert writes it.)
ALTER TABLE bookings ADD COLUMN ward_id BLOB;
UPDATE bookings SET ward_id = (SELECT s.ward_id FROM shifts s WHERE s.id = bookings.shift_id);
CREATE INDEX bookings_by_ward ON bookings (ward_id, worker_id, ends_at) WHERE status = 'active';
