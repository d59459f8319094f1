-- A facility whose operator is not known (issue 14): public lists often
-- name a place and a service but not who runs it. Such a version has no
-- organisation_id until someone names it (a later version, with its
-- provenance).
--
-- SQLite cannot drop a NOT NULL with ALTER TABLE. This is the procedure
-- its documentation gives for removing a NOT NULL constraint without
-- rebuilding the table ("Making Other Kinds Of Table Schema Changes",
-- https://www.sqlite.org/lang_altertable.html#otheralter): edit the stored
-- CREATE TABLE text and move the schema version on (below, by a
-- throwaway table). A rebuild would have
-- to drop facility_versions, which round_counts references, and with
-- foreign keys on (vangnet's connections) the drop itself fails.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'organisation_id INTEGER NOT NULL REFERENCES organisations (id),',
       'organisation_id INTEGER REFERENCES organisations (id),')
 WHERE type = 'table' AND name = 'facility_versions';
PRAGMA writable_schema = OFF;
-- Any schema change moves the schema version on, so that every connection
-- reads the edited table again.
CREATE TABLE operator_unknown_schema_bump (x INTEGER);
DROP TABLE operator_unknown_schema_bump;
