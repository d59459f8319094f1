-- Accounts, sessions, API tokens per user, brute-force throttling and the
-- append-only, hash-chained audit log.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'researcher', 'org_manager', 'reporter', 'auditor')),
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash TEXT,
    created_at TEXT NOT NULL,
    disabled_at TEXT,
    CHECK ((role IN ('org_manager', 'reporter')) = (organisation_id IS NOT NULL))
);

-- A reporter may be limited to some facilities of their organisation.
CREATE TABLE user_facilities (
    user_id INTEGER NOT NULL REFERENCES users (id),
    facility_id INTEGER NOT NULL REFERENCES facilities (id),
    PRIMARY KEY (user_id, facility_id)
);

-- Tokens of a user act as that user; tokens without a user are service
-- tokens with their own role (the first admin token).
ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users (id);
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- Failed logins and failed token uses, for throttling; old rows are pruned.
CREATE TABLE auth_failures (
    id INTEGER PRIMARY KEY,
    account TEXT,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX auth_failures_account ON auth_failures (account, at);
CREATE INDEX auth_failures_ip ON auth_failures (ip, at);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_user_id INTEGER,
    on_behalf_of TEXT,
    access_point TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    before_json TEXT,
    after_json TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The head of the hash chain; updating it first serialises appends.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
