-- Proposed register changes (issue 14, review): each submitted answer
-- becomes a list of proposals, in order. kind: new_location (after = the
-- facility input), closed (after = the day), change (field, before and
-- after as JSON), organisation (after = the organisation's id, for a
-- facility whose operator was unknown), confirmed (the location is as
-- the register has it: accepting records the verification). Nothing
-- reaches the register until a researcher accepts a proposal; then
-- facility_id names the facility it changed or created.
CREATE TABLE campaign_proposals (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES campaign_answers (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('new_location', 'closed', 'change', 'organisation', 'confirmed')),
    facility_id INTEGER REFERENCES facilities (id),
    location_name TEXT NOT NULL,
    field TEXT,
    before_value TEXT,
    after_value TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('proposed', 'accepted', 'rejected')),
    decided_by TEXT,
    decided_at TEXT,
    UNIQUE (answer_id, position)
);
CREATE INDEX campaign_proposals_answer ON campaign_proposals (answer_id);
