-- The register's generation (issue 5): a counter that every write of a
-- facility version takes the next value of, in its own transaction. The row
-- lock makes generations commit in order, so "versions with a generation
-- above G" is exactly what changed since a reader saw G. Table 1's counting
-- index (src/storage/counting.rs) catches up on that instead of reading the
-- whole history again. Versions written before this migration have none.

CREATE TABLE register_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO register_generation (id, generation) VALUES (1, 0);

ALTER TABLE facility_versions ADD COLUMN generation BIGINT;
CREATE INDEX facility_versions_generation ON facility_versions (generation);
