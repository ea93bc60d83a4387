-- TN-3: what the engine has to tell someone by email (an initial password), kept until it is sent.
-- The body is encrypted by the server (ASP.NET Core Data Protection) and erased once sent.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT,
    user_id         TEXT,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX ix_outbox_pending ON outbox (sent_at, created_at);
