-- (PostgreSQL: what 0022_history_scale.sqlite.sql does, then statistics for the message search, below.)
-- Issue 16, part 8 (scale): the dashboard at a million conversations a month. visitor_days keeps a row per visitor,
-- scope and natural day (about 6 M for such a month), and a period's distinct visitors counted its rows (5 M index
-- entries for a month's report, over 1 s). visitor_day_counts holds how many rows there are per scope, day and previous
-- day (-1: none), kept by the roll-up in the transaction that writes visitor_days: a period's distinct visitors are the
-- sum of its days' counts whose previous day is before it (that month: about 500 rows a scope, 150 k in all).
CREATE TABLE visitor_day_counts (
    tenant_id       TEXT NOT NULL,
    scope           TEXT NOT NULL,
    day             INTEGER NOT NULL,
    prev_day        INTEGER NOT NULL,
    visitors        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, scope, day, prev_day)
);
INSERT INTO visitor_day_counts (tenant_id, scope, day, prev_day, visitors)
SELECT tenant_id, scope, day, COALESCE(prev_day, -1), COUNT(*) FROM visitor_days GROUP BY tenant_id, scope, day, COALESCE(prev_day, -1);
-- No read counts visitor_days any longer; the roll-up finds its rows by the primary key.
DROP INDEX ix_visitor_days_period;

-- DB-7's message search walks ix_messages_tenant_time backwards over its week and stops at a page of hits, so a word that
-- many messages hold is found in a few thousand rows (tens of ms). The planner chose that walk only when it knew how
-- many messages the word's LIKE keeps: statistics of LOWER(content) give it that, and with no parallel scans of messages
-- it does not split the walk into workers (which took 0.7 s; with no statistics, a scan and sort of the week took 1.5-2 s
-- for each of a connection's first five searches, before PostgreSQL settles on a generic plan).
CREATE STATISTICS messages_lower_content ON (LOWER(content)) FROM messages;
ALTER TABLE messages SET (parallel_workers = 0);
ANALYZE messages;
