-- questionnaire_versions: every saved version of a questionnaire, never
-- changed afterwards (a campaign points at the version it sent, so editing
-- a questionnaire never changes what was already sent). The definition is
-- the whole questionnaire as JSON: it is read and written whole and
-- checked by `domain::questionnaire` on the way in and out, so columns per
-- question would buy nothing.
CREATE TABLE questionnaire_versions (
    code TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    definition TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
