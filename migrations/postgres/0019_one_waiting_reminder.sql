-- At most one reminder waits per invitation (issue 14): the reminder
-- schedule of every running server and a researcher's button may queue
-- at the same moment; the second insert then does nothing.
CREATE UNIQUE INDEX campaign_mails_one_waiting_reminder ON campaign_mails (invitation_id)
    WHERE kind = 'reminder' AND status IN ('queued', 'sending');
