-- Answers of a campaign (issue 14): what a respondent entered through the
-- personal link (source 'survey'), or what staff found by phone or on the
-- website and entered in the same form (source 'phone' or 'website',
-- entered_by the signed-in person, follow_up_id the log entry it came
-- from). The answers are one JSON document checked by
-- domain::answer against the campaign's questionnaire version: values by
-- question code, and per location block the locations, each with the
-- register facility it describes (null for a new one). A draft is saved
-- as often as the respondent likes; a submitted answer is final and is
-- turned into proposed register changes (0018).
CREATE TABLE campaign_answers (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES campaign_invitations (id),
    source TEXT NOT NULL CHECK (source IN ('survey', 'phone', 'website')),
    follow_up_id INTEGER REFERENCES campaign_follow_ups (id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted')),
    answers TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    entered_by TEXT,
    saved_at TEXT NOT NULL,
    submitted_at TEXT
);
-- One survey answer per invitation; staff findings as many as there are.
CREATE UNIQUE INDEX campaign_answers_survey ON campaign_answers (invitation_id)
    WHERE source = 'survey';
CREATE INDEX campaign_answers_invitation ON campaign_answers (invitation_id);
