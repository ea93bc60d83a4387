-- A live conversation's row is marked by its first save and unmarked by its completion. The partial index
-- of live rows is keyed on that mark instead of on the state, which every save rewrites: a save between
-- (answer, end, a message) then changes no indexed column unless the conversation moved to another agent.
ALTER TABLE conversations ADD COLUMN live SMALLINT;
UPDATE conversations SET live = 1 WHERE state IS NOT NULL;
DROP INDEX ix_conversations_live;
CREATE INDEX ix_conversations_live ON conversations (tenant_id, agent_id) WHERE live IS NOT NULL;
