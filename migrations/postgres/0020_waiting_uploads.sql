-- Checked uploads waiting for their second step (issue 16): a register,
-- report or contact file checked on one page and written from the next.
-- They wait here, not in a server's memory, so that the second step works
-- on whichever server it reaches. The id is a secret; only its SHA-256 is
-- stored. Rows older than 30 minutes are deleted as new ones arrive.
CREATE TABLE waiting_uploads (
    id_digest TEXT PRIMARY KEY,
    owner_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    mapping TEXT NOT NULL,
    approve BIGINT NOT NULL,
    kept_at TEXT NOT NULL
);
CREATE INDEX waiting_uploads_owner ON waiting_uploads (owner_key, kind);
CREATE INDEX waiting_uploads_kept_at ON waiting_uploads (kept_at);
