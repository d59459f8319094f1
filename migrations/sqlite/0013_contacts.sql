-- contacts: the people at organisations whom an inventory campaign mails
-- (issue 14). Only what a campaign needs: name, function, e-mail, phone,
-- and the day the contact opted out of campaign mail. An admin's erasure
-- empties the personal fields and sets erased_at; the row and its
-- organisation stay, so a campaign's history can still name "a contact of
-- organisation X". E-mail addresses are unique lower-cased (email_key)
-- among contacts that are not erased.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    name TEXT,
    role TEXT,
    email TEXT,
    email_key TEXT,
    phone TEXT,
    opted_out_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    erased_at TEXT,
    CONSTRAINT contacts_personal_fields CHECK (
        (erased_at IS NULL AND name IS NOT NULL AND email IS NOT NULL AND email_key IS NOT NULL)
        OR (erased_at IS NOT NULL AND name IS NULL AND role IS NULL AND email IS NULL
            AND email_key IS NULL AND phone IS NULL)
    )
);
CREATE UNIQUE INDEX contacts_email_key ON contacts (email_key) WHERE erased_at IS NULL;
CREATE INDEX contacts_organisation ON contacts (organisation_id);
