-- tally_days: the tallies summed per facility, metric and Dutch day, kept
-- in the same transaction as every insert and undo of a tally
-- (src/storage/monitoring.rs, src/storage/desk.rs). Reports are prefilled
-- and statistics read from these sums, so the events themselves need no
-- index beyond their id: maintaining one was two fifths of a large import
-- (bench/RESULTS.md).
CREATE TABLE tally_days (
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    metric TEXT NOT NULL REFERENCES metrics (code),
    day TEXT NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (facility_id, metric, day)
) WITHOUT ROWID;
CREATE INDEX tally_days_metric_day ON tally_days (metric, day);

INSERT INTO tally_days (facility_id, metric, day, total)
    SELECT facility_id, metric, day, SUM(amount) FROM tallies
    GROUP BY facility_id, metric, day;

DROP INDEX tallies_facility_metric_day;

-- SQLite only: the events without foreign keys. Every tally is checked
-- before it is stored (a facility the counter may count for, a metric in
-- use that its services have: `monitoring::fits`), and facilities and
-- metrics are never deleted (closed, retired), so the database's own
-- check could only ever repeat that one; it was a quarter of the insert
-- of a large import (bench/RESULTS.md). tally_days keeps its keys.
CREATE TABLE tallies_checked (
    id TEXT PRIMARY KEY,
    facility_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
INSERT INTO tallies_checked (id, facility_id, at, day, metric, amount, recorded_by, recorded_at)
    SELECT id, facility_id, at, day, metric, amount, recorded_by, recorded_at FROM tallies;
DROP TABLE tallies;
ALTER TABLE tallies_checked RENAME TO tallies;
