-- A facility whose operator is not known (issue 14): public lists often
-- name a place and a service but not who runs it. Such a version has no
-- organisation_id until someone names it (a later version, with its
-- provenance).
ALTER TABLE facility_versions ALTER COLUMN organisation_id DROP NOT NULL;
