-- A conversation's record is keyed by its tenant and id: a first save finds only its own tenant's row,
-- and never takes over a record, completed or not. SQLite changes a primary key by rebuilding the table.
CREATE TABLE conversations_by_tenant (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
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
    updated_at      BIGINT NOT NULL,
    state           BLOB,
    etag            BIGINT,
    live            SMALLINT,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO conversations_by_tenant (tenant_id, id, channel_id, account_id, visitor_id, mode, group_id, agent_id, region, status,
    created_at, queued_at, offered_at, answered_at, first_response_at, ended_at, end_reason, updated_at, state, etag, live)
SELECT tenant_id, id, channel_id, account_id, visitor_id, mode, group_id, agent_id, region, status,
    created_at, queued_at, offered_at, answered_at, first_response_at, ended_at, end_reason, updated_at, state, etag, live
FROM conversations;
DROP TABLE conversations;
ALTER TABLE conversations_by_tenant RENAME TO conversations;
CREATE INDEX ix_conversations_tenant_time ON conversations (tenant_id, created_at, account_id, agent_id, visitor_id);
CREATE INDEX ix_conversations_live ON conversations (tenant_id, agent_id) WHERE live IS NOT NULL;
