-- PostgreSQL only (SQLite's planner walks the index as it is).
-- DB-7's message search walks ix_messages_tenant_time backwards over its week and stops at a page of hits, so a word that
-- many messages hold is found in a few thousand rows (tens of ms). The planner chose that walk only when it knew how
-- many messages the word's LIKE keeps: statistics of LOWER(content) give it that, and with no parallel scans of messages
-- it does not split the walk into workers (which took 0.7 s; with no statistics, a scan and sort of the week took 1.5-2 s
-- for each of a connection's first five searches, before PostgreSQL settles on a generic plan).
CREATE STATISTICS messages_lower_content ON (LOWER(content)) FROM messages;
ALTER TABLE messages SET (parallel_workers = 0);
ANALYZE messages;
