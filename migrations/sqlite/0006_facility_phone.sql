-- The people's view (issue 11): a facility's public telephone number, the
-- service's own (a front desk, a team's line), never a person's.
ALTER TABLE facility_versions ADD COLUMN phone TEXT;
