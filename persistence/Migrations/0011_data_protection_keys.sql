-- The Data Protection key ring of servers that share a PostgreSQL store (cookies, CSRF tokens, the outbox), each
-- key encrypted before it is stored, with a key that only the servers' configuration holds.
CREATE TABLE data_protection_keys (
    name            TEXT PRIMARY KEY,
    xml             TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
