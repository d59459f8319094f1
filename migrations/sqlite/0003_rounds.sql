-- Inventory rounds and published figures (issue 5).
--
-- A round counts the register at its reference date over a scope of
-- service types (a bit mask as in facility_versions.services). While open,
-- its counts are live; closing copies them into round_counts and the
-- facilities (and their versions) counted into round_facilities, so later
-- register edits never change a closed round. Reopening deletes the copy
-- (the audit log keeps it).

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    reference_date TEXT NOT NULL,
    scope INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'published')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    closed_at TEXT,
    published_at TEXT
);

-- A researcher's reading of a service's count in a round.
CREATE TABLE round_overrides (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    service TEXT NOT NULL REFERENCES service_types (code),
    qualifier TEXT NOT NULL CHECK (qualifier IN ('exact', 'at_least', 'approximate', 'unknown')),
    value INTEGER,
    note TEXT,
    source TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (round_id, service)
);

-- The frozen Table 1 of a closed round, one row per service in scope.
CREATE TABLE round_counts (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    service TEXT NOT NULL REFERENCES service_types (code),
    locations INTEGER,
    municipalities INTEGER,
    cities INTEGER,
    capacity INTEGER,
    qualifier TEXT NOT NULL CHECK (qualifier IN ('exact', 'at_least', 'approximate', 'unknown')),
    register_locations INTEGER NOT NULL,
    note TEXT,
    source TEXT,
    -- the computed notes, as data (domain::table1::Fact)
    facts_json TEXT NOT NULL,
    PRIMARY KEY (round_id, service)
);

-- The facilities a closed round counted, with the version it counted.
CREATE TABLE round_facilities (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    service TEXT NOT NULL REFERENCES service_types (code),
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    version_id INTEGER NOT NULL REFERENCES facility_versions (id),
    PRIMARY KEY (round_id, service, facility_id)
);
CREATE INDEX round_facilities_facility ON round_facilities (facility_id);

-- Figures others published, as data/published_figures.csv lists them.
CREATE TABLE published_figures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    scope TEXT NOT NULL,
    period TEXT NOT NULL,
    value_text TEXT NOT NULL,
    value_low REAL,
    value_high REAL,
    qualifier TEXT NOT NULL CHECK (qualifier IN ('exact', 'at_least', 'approx', 'unknown', 'range')),
    unit TEXT,
    source TEXT NOT NULL,
    note TEXT,
    imported_at TEXT NOT NULL,
    UNIQUE (key, scope, period)
);
