-- municipality_boundaries: one outline per municipality (CBS code), loaded
-- with `vangnet import boundaries`, which replaces the whole set in one
-- transaction. The geometry is compact JSON, polygons → rings → [lon, lat]
-- (WGS84, 5 decimals): maps read the whole set at once and nothing queries
-- inside it, so a spatial type would buy nothing on either engine.
CREATE TABLE municipality_boundaries (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    geometry TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
