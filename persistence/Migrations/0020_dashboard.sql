-- DB-1..DB-5: the dashboard reads rollups, kept up to date as conversations complete (never rebuilt on read).
-- Natural days are the tenant's zone's, stored as DateOnly.DayNumber (days since 0001-01-01); a change of the
-- tenant's zone rolls its history up again.

-- A visit: a customer opened a conversation through a channel (a flow run began). rolled is 1 until rolled up.
CREATE TABLE visits (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    visitor_id      TEXT NOT NULL,
    channel_id      TEXT,
    account_id      TEXT,
    at              BIGINT NOT NULL,
    rolled          SMALLINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ix_visits_to_roll ON visits (at) WHERE rolled IS NOT NULL;

-- A completed conversation waits for the roll-up with rolled = 1; what completed before this version does too.
ALTER TABLE conversations ADD COLUMN rolled SMALLINT;
UPDATE conversations SET rolled = 1 WHERE live IS NULL;
CREATE INDEX ix_conversations_to_roll ON conversations (updated_at) WHERE rolled IS NOT NULL;

-- Additive figures per natural day, account ('' none) and agent ('' none).
CREATE TABLE dashboard_days (
    tenant_id       TEXT NOT NULL,
    day             INTEGER NOT NULL,
    account_id      TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    visits          BIGINT NOT NULL DEFAULT 0,
    conversations   BIGINT NOT NULL DEFAULT 0,
    visitor_messages BIGINT NOT NULL DEFAULT 0,
    agent_messages  BIGINT NOT NULL DEFAULT 0,
    counted         BIGINT NOT NULL DEFAULT 0,
    replied         BIGINT NOT NULL DEFAULT 0,
    first_response_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, account_id, agent_id)
);

-- A skill group's arrivals per natural day, and its answered conversations by whole seconds of wait.
CREATE TABLE group_days (
    tenant_id       TEXT NOT NULL,
    day             INTEGER NOT NULL,
    group_id        TEXT NOT NULL,
    arrivals        BIGINT NOT NULL DEFAULT 0,
    answered        BIGINT NOT NULL DEFAULT 0,
    abandoned       BIGINT NOT NULL DEFAULT 0,
    answer_wait_ms  BIGINT NOT NULL DEFAULT 0,
    handle_ms       BIGINT NOT NULL DEFAULT 0,
    handled         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, group_id)
);
CREATE TABLE group_answer_waits (
    tenant_id       TEXT NOT NULL,
    day             INTEGER NOT NULL,
    group_id        TEXT NOT NULL,
    second          INTEGER NOT NULL,
    answered        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, group_id, second)
);

-- A visitor in a scope (visited, consulted, per agent, interrupted, woken; tenant-wide or per account) on a natural
-- day, with the visitor's previous day in that scope: a period [a, b] has as many distinct visitors as it has rows
-- whose previous day is before a (or none).
CREATE TABLE visitor_days (
    tenant_id       TEXT NOT NULL,
    scope           TEXT NOT NULL,
    visitor_id      TEXT NOT NULL,
    day             INTEGER NOT NULL,
    prev_day        INTEGER,
    PRIMARY KEY (tenant_id, scope, visitor_id, day)
);
CREATE INDEX ix_visitor_days_period ON visitor_days (tenant_id, scope, day, prev_day);

-- DB-4 between a visitor's conversations: the agent's message they have not answered since waiting_since.
CREATE TABLE visitor_wakeup (
    tenant_id       TEXT NOT NULL,
    visitor_id      TEXT NOT NULL,
    waiting_since   BIGINT NOT NULL,
    account_id      TEXT,
    interrupted     SMALLINT NOT NULL,
    PRIMARY KEY (tenant_id, visitor_id)
);
CREATE INDEX ix_visitor_wakeup_lapse ON visitor_wakeup (waiting_since) WHERE interrupted = 0;

