-- The audit trail: every change an admin or the operator makes, written in the transaction of the change itself.
-- tenant_id is the tenant the change concerns (null: the platform's own, such as the operator's password).
-- summary is a JSON object of the fields the request changed, never a password or a secret.
CREATE TABLE audit_records (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT,
    at              BIGINT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_role      TEXT NOT NULL,
    via             TEXT NOT NULL,
    address         TEXT,
    method          TEXT NOT NULL,
    route           TEXT NOT NULL,
    target_type     TEXT NOT NULL,
    target_id       TEXT,
    summary         TEXT NOT NULL,
    -- Taken back with the change it described (a skill group the routing refused); kept, unlisted, so that no late
    -- write of that change can record it again.
    withdrawn       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_audit_tenant_at ON audit_records (tenant_id, at, id);
CREATE INDEX ix_audit_at ON audit_records (at, id);
