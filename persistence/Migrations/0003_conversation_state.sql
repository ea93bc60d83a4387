-- A conversation's live state moves into its record row: one statement per save instead of two. A row with
-- state is a live conversation; the partial index finds them (wake on start) and an agent's live ones.
ALTER TABLE conversations ADD COLUMN state {{bytes}};
ALTER TABLE conversations ADD COLUMN etag BIGINT;

UPDATE conversations SET
    state = (SELECT g.payload FROM grain_state g WHERE g.grain_type = 'ConversationGrain' AND g.tenant_id = conversations.tenant_id AND g.grain_key = conversations.id),
    etag = (SELECT g.etag FROM grain_state g WHERE g.grain_type = 'ConversationGrain' AND g.tenant_id = conversations.tenant_id AND g.grain_key = conversations.id)
WHERE EXISTS (SELECT 1 FROM grain_state g WHERE g.grain_type = 'ConversationGrain' AND g.tenant_id = conversations.tenant_id AND g.grain_key = conversations.id);
DELETE FROM grain_state WHERE grain_type = 'ConversationGrain';
-- Their deadlines are timers armed from the state now.
DELETE FROM reminders WHERE grain_type = 'ConversationGrain';

CREATE INDEX ix_conversations_live ON conversations (tenant_id, agent_id) WHERE state IS NOT NULL;
-- Live queues come from the groups; this index only cost a change on every status move.
DROP INDEX ix_conversations_group_status;
