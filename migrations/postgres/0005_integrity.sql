-- Integrity (issue 9).
--
-- 1. Facts that public output counts are structured attributes of a
--    facility version, never read from its free-text notes: `features` is a
--    set of bits (1 alcohol room, 2 soft drugs only; src/domain/facility.rs).
ALTER TABLE facility_versions ADD COLUMN features BIGINT NOT NULL DEFAULT 0;

-- 2. A researcher's correction of the past keeps the versions it corrects:
--    they are marked superseded (when, and by which correction) and leave
--    every "as of" read, but stay in the facility's history.
ALTER TABLE facility_versions ADD COLUMN superseded_at TEXT;
ALTER TABLE facility_versions ADD COLUMN superseded_by BIGINT;
DROP INDEX facility_versions_current;
CREATE UNIQUE INDEX facility_versions_current
    ON facility_versions (facility_id) WHERE valid_to = '9999-12-31' AND superseded_at IS NULL;

-- 3. The audit chain's head follows every appended entry by itself, so an
--    append is one statement and the head can never disagree with the log.
CREATE FUNCTION audit_log_move_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_move_head();
