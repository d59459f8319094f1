-- Rollups of the monitoring figures, kept current in the transaction of
-- every write that changes them (src/storage/rollups.rs), so dashboards
-- read a few hundred rows instead of millions and never lag behind.
--
-- metric_cells: one facility's figure of one metric for one period: the
-- tallies of the month (`tallied`), the value of its report when that is
-- submitted or approved (`reported`) and when approved (`approved`).
CREATE TABLE metric_cells (
    facility_id BIGINT NOT NULL,
    metric TEXT NOT NULL,
    period TEXT NOT NULL,
    tallied BIGINT NOT NULL DEFAULT 0,
    reported BIGINT,
    approved BIGINT,
    PRIMARY KEY (facility_id, metric, period)
);
CREATE INDEX metric_cells_metric_period ON metric_cells (metric, period);

-- area_totals: the cells added up per area (NL, a province, a
-- municipality) on two bases: `approved` (approved report values: what
-- the public sees) and `live` (a submitted or approved report's value,
-- else the month's tallies: what staff see). `cells` counts the facilities
-- that have a figure; a row with none has no value.
CREATE TABLE area_totals (
    basis TEXT NOT NULL CHECK (basis IN ('approved', 'live')),
    area TEXT NOT NULL,
    metric TEXT NOT NULL,
    period TEXT NOT NULL,
    total BIGINT NOT NULL,
    cells INTEGER NOT NULL,
    PRIMARY KEY (basis, area, metric, period)
);

-- The municipality each facility's cells are added to (its current one);
-- when a facility moves, its cells move with it.
CREATE TABLE rollup_facilities (
    facility_id BIGINT PRIMARY KEY,
    municipality_code TEXT NOT NULL
);

-- Whether the rollups were built from the data already there (at the
-- first start after this migration, in Rust: provinces come from the
-- bundled reference geography), and the generation of the approved
-- figures: moved by every write that changes an approved total, so that an
-- app server knows when the public figures it worked out are out of date.
CREATE TABLE rollup_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    built INTEGER NOT NULL,
    approved_generation BIGINT NOT NULL
);
INSERT INTO rollup_state (id, built, approved_generation) VALUES (1, 0, 0);

-- The approved generation of each metric, so that only the public
-- figures of the metrics an approval changed are worked out again.
CREATE TABLE approved_generations (
    metric TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
