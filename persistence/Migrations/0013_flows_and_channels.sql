-- FL-6, CH-1..CH-3. Both tables were created empty by 0001 and never written; they are made again in their final shape.
-- A flow's saved versions outlive it: a conversation runs the version published when it began (a deleted flow
-- cannot be recovered through the API, but its running conversations finish on their version).
DROP TABLE flow_versions;
CREATE TABLE flow_versions (
    tenant_id       TEXT NOT NULL,
    flow_id         TEXT NOT NULL,
    version         INTEGER NOT NULL,
    definition      TEXT NOT NULL,
    saved_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, flow_id, version)
);

-- A channel: its kind and mode, its settings (JSON; a mini program's secret encrypted with Data Protection), the flow
-- it is bound to, and what the inbound adapter API knows it by: a public key, the SHA-256 of its token, and the
-- webhook its replies are pushed to with the webhook's signing secret (encrypted).
DROP TABLE channels;
CREATE TABLE channels (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    mode            TEXT NOT NULL,
    settings        TEXT NOT NULL,
    flow_id         TEXT REFERENCES flows(id),
    channel_key     TEXT NOT NULL UNIQUE,
    token_hash      TEXT NOT NULL,
    webhook_url     TEXT,
    webhook_secret  TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_channels_tenant ON channels (tenant_id, created_at);
CREATE INDEX ix_channels_flow ON channels (flow_id);
CREATE UNIQUE INDEX ux_flows_tenant_name ON flows (tenant_id, name);
