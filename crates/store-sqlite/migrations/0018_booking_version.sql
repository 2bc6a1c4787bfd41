-- Every booking of a worker moves their bookings version on, so an instant booking judged on the
-- worker's week as read from a reader is made only if nothing has changed since (see the store's
-- booking module).
ALTER TABLE workers ADD COLUMN bookings_version INTEGER NOT NULL DEFAULT 0;
