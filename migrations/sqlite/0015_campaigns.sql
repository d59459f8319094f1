-- campaigns (issue 14): the inventory questionnaire sent by e-mail to the
-- organisations of an inventory round. A campaign belongs to a round and
-- sends one version of a questionnaire; its personal links expire on
-- closes_on. The mail texts (invitation and reminder, Dutch and English)
-- are one JSON object in `texts`.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    questionnaire_code TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    closes_on TEXT NOT NULL,
    remind_after_days INTEGER NOT NULL CHECK (remind_after_days > 0),
    texts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One invitation per organisation in a campaign, addressed to one of its
-- contacts. The personal link's token is not stored: each mail stores the
-- hash of the token it carries (campaign_mails.token_hash). opened_at,
-- answered_at (and later the draft answer) are for the answer form.
CREATE TABLE campaign_invitations (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    language TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    expires_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    opened_at TEXT,
    answered_at TEXT,
    UNIQUE (campaign_id, organisation_id)
);
CREATE INDEX campaign_invitations_campaign ON campaign_invitations (campaign_id);

-- The outbox: every mail a campaign sends, processed by the mail worker.
-- A claim sets status 'sending', a claim id and a lease; a lease that ran
-- out (the server stopped) is taken over. Sent, failed and bounced are
-- final. One invitation mail per invitation; reminders as often as due.
CREATE TABLE campaign_mails (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES campaign_invitations (id),
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claim TEXT,
    lease_until TEXT,
    token_hash TEXT UNIQUE,
    last_error TEXT,
    queued_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE UNIQUE INDEX campaign_mails_one_invitation ON campaign_mails (invitation_id)
    WHERE kind = 'invitation';
CREATE INDEX campaign_mails_due ON campaign_mails (status, next_attempt_at);
CREATE INDEX campaign_mails_invitation ON campaign_mails (invitation_id);
