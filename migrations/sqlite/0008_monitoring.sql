-- Monitoring (issue 12): what the services do, counted per period.
--
-- metrics: the catalogue (shipped defaults are inserted at start when
-- missing; an admin adds and retires metrics, nothing is deleted).
-- period_reports: one per facility per period, draft -> submitted ->
-- approved (locked) -> reopened (with a reason) -> ...; report_values one
-- value per metric, report_value_changes every change of one (who, when,
-- before, after). tallies: anonymous events at the desk (facility, time,
-- metric, amount) with the id the device made, so a retry never counts twice.

CREATE TABLE metrics (
    code TEXT PRIMARY KEY,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    period TEXT NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'average', 'last')),
    counts TEXT NOT NULL CHECK (counts IN ('people', 'activity', 'things')),
    services INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE period_reports (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    period TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'reopened')),
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    approved_at TEXT,
    approved_by TEXT,
    reopened_reason TEXT,
    UNIQUE (facility_id, period)
);
CREATE INDEX period_reports_period ON period_reports (period, status);

CREATE TABLE report_values (
    report_id INTEGER NOT NULL REFERENCES period_reports (id),
    metric TEXT NOT NULL REFERENCES metrics (code),
    value INTEGER NOT NULL,
    note TEXT,
    PRIMARY KEY (report_id, metric)
);

CREATE TABLE report_value_changes (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES period_reports (id),
    metric TEXT NOT NULL REFERENCES metrics (code),
    before_value INTEGER,
    after_value INTEGER,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX report_value_changes_report ON report_value_changes (report_id);

CREATE TABLE tallies (
    id TEXT PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    metric TEXT NOT NULL REFERENCES metrics (code),
    amount INTEGER NOT NULL CHECK (amount > 0),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX tallies_facility_metric_day ON tallies (facility_id, metric, day);
