-- How long each Core Skills Training Framework subject lasts at each level before a refresher is
-- due, in months: platform configuration, set by platform administrators (none is assumed).
CREATE TABLE refresher_periods (
    subject text NOT NULL,
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    months integer NOT NULL CHECK (months BETWEEN 1 AND 120),
    PRIMARY KEY (subject, level)
);
