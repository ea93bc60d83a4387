-- MK-2: departments, a small tree of the tenant's agents; an account's staff may name whole departments.
CREATE TABLE departments (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    parent_id       TEXT REFERENCES departments(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_departments_name ON departments (tenant_id, COALESCE(parent_id, ''), name);
CREATE INDEX ix_departments_parent ON departments (parent_id);

CREATE TABLE department_members (
    tenant_id       TEXT NOT NULL,
    department_id   TEXT NOT NULL REFERENCES departments(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (department_id, user_id)
);
CREATE INDEX ix_department_members_user ON department_members (tenant_id, user_id);

-- MK-1, MK-3..MK-5: a marketing account (0001 made the table empty and it was never written; it is made again in
-- its final shape). Its rule, hours, robot mode and prompts are one JSON document (read and
-- written whole); its avatar is a media row; test_key is the key of its test link (/chat/{key}).
DROP TABLE marketing_accounts;
CREATE TABLE marketing_accounts (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    sub_org         TEXT,
    avatar_id       TEXT,
    test_key        TEXT NOT NULL UNIQUE,
    settings        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_marketing_accounts_tenant ON marketing_accounts (tenant_id, created_at);

-- MK-2: who an account names as its staff: agents (kind 'agent') and departments (kind 'department').
CREATE TABLE marketing_staff (
    tenant_id       TEXT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES marketing_accounts(id),
    kind            TEXT NOT NULL,
    ref_id          TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, ref_id)
);
CREATE INDEX ix_marketing_staff_ref ON marketing_staff (tenant_id, kind, ref_id);

-- MK-3 reception hours and DB-1 natural days are in the tenant's time zone (an IANA name).
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai';
