-- The register: organisations and facilities, each with an append-only
-- history of versions. A version is valid from valid_from (inclusive) to
-- valid_to (exclusive); '0001-01-01' means "since the beginning" and
-- '9999-12-31' "still current". Dates are ISO-8601 text on both engines.

CREATE TABLE service_types (
    code TEXT PRIMARY KEY,
    bit INTEGER NOT NULL UNIQUE
);
INSERT INTO service_types (code, bit) VALUES
    ('consumption_room', 1), ('methadone_clinic', 2), ('heroin_unit', 4),
    ('syringe_exchange', 8), ('paraphernalia', 16), ('naloxone', 32);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE organisation_versions (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    version INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_detail TEXT,
    verified_on TEXT,
    change_note TEXT,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    website TEXT,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    notes TEXT,
    UNIQUE (organisation_id, version),
    CHECK (valid_from <= valid_to)
);
CREATE UNIQUE INDEX organisation_versions_current
    ON organisation_versions (organisation_id) WHERE valid_to = '9999-12-31';
CREATE INDEX organisation_versions_name ON organisation_versions (name_key);

CREATE TABLE facilities (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    -- the earliest of the day it was first recorded and the days sources
    -- verified it: a facility whose opening date is unknown counts from here
    first_seen_on TEXT NOT NULL
);

CREATE TABLE facility_versions (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    version INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_detail TEXT,
    verified_on TEXT,
    change_note TEXT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    services INTEGER NOT NULL,
    street TEXT,
    postcode TEXT,
    city TEXT,
    municipality_code TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    location_precision TEXT,
    opened_on TEXT,
    closed_on TEXT,
    public_access INTEGER NOT NULL CHECK (public_access IN (0, 1)),
    mobile INTEGER NOT NULL CHECK (mobile IN (0, 1)),
    rooms INTEGER,
    capacity INTEGER,
    opening_hours TEXT,
    referral_required INTEGER CHECK (referral_required IN (0, 1)),
    intake_required INTEGER CHECK (intake_required IN (0, 1)),
    target_groups TEXT,
    max_minutes_per_visit INTEGER,
    max_visits_per_day INTEGER,
    notes TEXT,
    UNIQUE (facility_id, version),
    CHECK (valid_from <= valid_to)
);
CREATE UNIQUE INDEX facility_versions_current
    ON facility_versions (facility_id) WHERE valid_to = '9999-12-31';
CREATE INDEX facility_versions_as_of ON facility_versions (valid_to, valid_from);
CREATE INDEX facility_versions_organisation ON facility_versions (organisation_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
