-- History indexes lead with the time after the tenant: rows arrive in time order, so each insert lands at
-- the end of its index instead of on a random page (an index led by agent or visitor dirtied one random
-- page per row, which was most of what a commit wrote). Dashboard and record queries always name a
-- period (DB-1 periods, DB-6 creation range, DB-7 message time); agent, account and visitor are filtered
-- inside the index over that range.
DROP INDEX ix_conversations_tenant_created;
DROP INDEX ix_conversations_account_created;
DROP INDEX ix_conversations_agent_created;
DROP INDEX ix_conversations_visitor;
CREATE INDEX ix_conversations_tenant_time ON conversations (tenant_id, created_at, account_id, agent_id, visitor_id);

DROP INDEX ix_messages_tenant_sent;
DROP INDEX ix_messages_agent_sent;
CREATE INDEX ix_messages_tenant_time ON messages (tenant_id, sent_at, agent_id);

DROP INDEX ix_agent_status_history_agent;
DROP INDEX ix_agent_status_history_tenant;
CREATE INDEX ix_agent_status_history_time ON agent_status_history (tenant_id, at, agent_id);
