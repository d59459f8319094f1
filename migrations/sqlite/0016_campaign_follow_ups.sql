-- Follow-up of a campaign (issue 14): the phone calls and website checks
-- made for organisations that have not answered. recorded_by is the
-- signed-in person (the audit actor's name); found is free text that
-- passed the personal-data guard.
CREATE TABLE campaign_follow_ups (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('call', 'website')),
    outcome TEXT NOT NULL CHECK (outcome IN ('not_reached', 'call_back', 'confirmed', 'changes_found', 'closed', 'refused')),
    found TEXT NOT NULL,
    done_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE INDEX campaign_follow_ups_campaign ON campaign_follow_ups (campaign_id, organisation_id);
