-- Every booking of a worker moves their bookings version on, so an instant booking judged on the
-- worker's week as read without a lock is made only if nothing has changed since (see the store's
-- booking module).
ALTER TABLE workers ADD COLUMN bookings_version bigint NOT NULL DEFAULT 0;
-- Room on each page for the place count and the version to be updated in place (a HOT update
-- writes no index entries), so a burst of bookings does not rewrite every index of shifts.
ALTER TABLE shifts SET (fillfactor = 80);
ALTER TABLE workers SET (fillfactor = 90);
