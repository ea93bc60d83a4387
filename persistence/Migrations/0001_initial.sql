-- Engine schema, version 1. One script for SQLite and PostgreSQL: {{bytes}} is BLOB or BYTEA.
-- Times are Unix milliseconds (BIGINT) so that both stores compare and index them the same way.

-- Configuration ------------------------------------------------------------------------------

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- Platform operators, tenant admins and agents (AG-1): one sign-in per email.
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT REFERENCES tenants(id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    nickname        TEXT,
    phone           TEXT,
    staff_no        TEXT,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    deleted_at      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_users_email ON users (email);
CREATE UNIQUE INDEX ux_users_staff_no ON users (tenant_id, staff_no);
CREATE INDEX ix_users_tenant_name ON users (tenant_id, name);
CREATE INDEX ix_users_tenant_phone ON users (tenant_id, phone);

CREATE TABLE api_tokens (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    token_hash      TEXT NOT NULL,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE UNIQUE INDEX ux_api_tokens_hash ON api_tokens (token_hash);

CREATE TABLE skill_groups (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    mode            TEXT NOT NULL,
    reception_cap   INTEGER NOT NULL,
    overflow_group_ids TEXT NOT NULL DEFAULT '[]',
    deleted_at      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_skill_groups_tenant ON skill_groups (tenant_id, mode);

CREATE TABLE skill_group_members (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    group_id        TEXT NOT NULL REFERENCES skill_groups(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ix_skill_group_members_user ON skill_group_members (tenant_id, user_id);

-- ST-1: one row per tenant and service mode.
CREATE TABLE mode_settings (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    mode            TEXT NOT NULL,
    settings        TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, mode)
);

-- FL-6: definition JSON, status, a version per save.
CREATE TABLE flows (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    mode            TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    definition      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_flows_tenant ON flows (tenant_id, updated_at);

CREATE TABLE flow_versions (
    flow_id         TEXT NOT NULL REFERENCES flows(id),
    version         INTEGER NOT NULL,
    definition      TEXT NOT NULL,
    saved_at        BIGINT NOT NULL,
    PRIMARY KEY (flow_id, version)
);

CREATE TABLE channels (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    mode            TEXT NOT NULL,
    settings        TEXT NOT NULL DEFAULT '{}',
    flow_id         TEXT REFERENCES flows(id),
    bound           INTEGER NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_channels_tenant ON channels (tenant_id);
CREATE INDEX ix_channels_flow ON channels (flow_id);

CREATE TABLE quick_replies (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_quick_replies_tenant ON quick_replies (tenant_id);

-- ST-2: at most five per tenant, ordered.
CREATE TABLE screen_pops (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    url             TEXT NOT NULL,
    enabled         INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_screen_pops_tenant ON screen_pops (tenant_id, position);

-- ST-4: content in the database, at most 5 MB each.
CREATE TABLE audio_files (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    content         {{bytes}} NOT NULL,
    review_status   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_audio_files_tenant ON audio_files (tenant_id, created_at);

-- MK-1..MK-5: marketing customer-service accounts; the reception rule and prompts as JSON.
CREATE TABLE marketing_accounts (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    name            TEXT NOT NULL,
    sub_organisation TEXT,
    avatar          {{bytes}},
    avatar_type     TEXT,
    reception       TEXT NOT NULL DEFAULT '{}',
    prompts         TEXT NOT NULL DEFAULT '{}',
    staff           TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_marketing_accounts_tenant ON marketing_accounts (tenant_id, name);

-- Actor runtime ------------------------------------------------------------------------------

-- One row per grain state; etag counts writes and guards every update.
CREATE TABLE grain_state (
    grain_type      TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    grain_key       TEXT NOT NULL,
    etag            BIGINT NOT NULL,
    payload         {{bytes}} NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (grain_type, tenant_id, grain_key)
);

-- Durable deadlines (offer timeout, reply timeout, after-call, auto end), re-armed at start-up.
CREATE TABLE reminders (
    grain_type      TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    grain_key       TEXT NOT NULL,
    name            TEXT NOT NULL,
    due_at          BIGINT NOT NULL,
    PRIMARY KEY (grain_type, tenant_id, grain_key, name)
);
CREATE INDEX ix_reminders_due ON reminders (due_at);

-- History (append-only: records and dashboards read it) -----------------------------------------

CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    channel_id      TEXT,
    account_id      TEXT,
    visitor_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    group_id        TEXT,
    agent_id        TEXT,
    region          TEXT,
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    queued_at       BIGINT,
    offered_at      BIGINT,
    answered_at     BIGINT,
    first_response_at BIGINT,
    ended_at        BIGINT,
    end_reason      TEXT,
    updated_at      BIGINT NOT NULL
);
-- DB-1, DB-6: by tenant (and account, and agent) over a time range; RT-3: a visitor's last conversation.
CREATE INDEX ix_conversations_tenant_created ON conversations (tenant_id, created_at);
CREATE INDEX ix_conversations_account_created ON conversations (tenant_id, account_id, created_at);
CREATE INDEX ix_conversations_agent_created ON conversations (tenant_id, agent_id, created_at);
CREATE INDEX ix_conversations_visitor ON conversations (tenant_id, visitor_id, created_at);
CREATE INDEX ix_conversations_group_status ON conversations (tenant_id, group_id, status);

-- A sequence number per conversation; a client message id makes a resend idempotent.
CREATE TABLE messages (
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    tenant_id       TEXT NOT NULL,
    sender_kind     TEXT NOT NULL,
    agent_id        TEXT,
    kind            TEXT NOT NULL,
    content         TEXT NOT NULL,
    sent_at         BIGINT NOT NULL,
    client_message_id TEXT,
    PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX ux_messages_client_id ON messages (conversation_id, client_message_id);
-- DB-2, DB-3, DB-5: messages by tenant and time; DB-7: by agent.
CREATE INDEX ix_messages_tenant_sent ON messages (tenant_id, sent_at);
CREATE INDEX ix_messages_agent_sent ON messages (tenant_id, agent_id, sent_at);

CREATE TABLE agent_status_history (
    tenant_id       TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    at              BIGINT NOT NULL,
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL,
    reason          TEXT NOT NULL
);
CREATE INDEX ix_agent_status_history_agent ON agent_status_history (tenant_id, agent_id, at);
CREATE INDEX ix_agent_status_history_tenant ON agent_status_history (tenant_id, at);
