-- tally_days: the tallies summed per facility, metric and Dutch day, kept
-- in the same transaction as every insert and undo of a tally
-- (src/storage/monitoring.rs, src/storage/desk.rs). Reports are prefilled
-- and statistics read from these sums, so the events themselves need no
-- index beyond their id: maintaining one was two fifths of a large import
-- (bench/RESULTS.md).
CREATE TABLE tally_days (
    facility_id BIGINT NOT NULL REFERENCES facilities (id),
    metric TEXT NOT NULL REFERENCES metrics (code),
    day TEXT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (facility_id, metric, day)
);
CREATE INDEX tally_days_metric_day ON tally_days (metric, day);

INSERT INTO tally_days (facility_id, metric, day, total)
    SELECT facility_id, metric, day, SUM(amount) FROM tallies
    GROUP BY facility_id, metric, day;

DROP INDEX tallies_facility_metric_day;
