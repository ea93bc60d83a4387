-- Pushes are tried in the order they were made: a number that grows with each, also within one millisecond.
ALTER TABLE webhook_outbox ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX ix_webhook_outbox_seq ON webhook_outbox (seq);
