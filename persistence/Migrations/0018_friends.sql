-- MK-8: a customer added as a friend of an agent through a marketing account (the adapter API's friendAdded event).
-- One row per account, agent and customer: a gateway's retry of the same event finds the row and adds nothing.
-- customer_id is the visitor id the engine knows the customer by (the channel's id and the gateway's customer id);
-- added_at is when the first event came (Unix ms). Rows stay when the account or the agent goes (records).
CREATE TABLE marketing_friends (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    account_id      TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    channel_id      TEXT NOT NULL,
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, agent_id, customer_id)
);
-- DB-1: a tenant's friends over a time range.
CREATE INDEX ix_marketing_friends_added ON marketing_friends (tenant_id, added_at);
