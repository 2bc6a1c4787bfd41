-- Continuity ("worked this ward before") is read for every member of a candidate pool. Read through
-- the ward's shifts it cost one lookup per past shift of the ward, so it grew with the ward's
-- history (a busy ward's candidates took over 100 ms). A shift never changes ward, so the booking
-- keeps a copy of it, written from the shift row in the same insert, and the question becomes one
-- index range. No foreign key: the copy comes from a shift that already references its ward.
ALTER TABLE bookings ADD COLUMN ward_id uuid;
UPDATE bookings b SET ward_id = s.ward_id FROM shifts s WHERE s.id = b.shift_id;
ALTER TABLE bookings ALTER COLUMN ward_id SET NOT NULL;
CREATE INDEX bookings_by_ward ON bookings (ward_id, worker_id) INCLUDE (ends_at) WHERE status = 'active';
