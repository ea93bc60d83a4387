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
