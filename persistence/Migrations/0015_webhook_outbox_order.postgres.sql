-- Pushes are tried in the order they were made: a number from a sequence, also within one millisecond. Pushes
-- waiting at the upgrade are numbered in the order they were made before. (SQLite orders by its rowid.)
ALTER TABLE webhook_outbox ADD COLUMN seq BIGSERIAL;
UPDATE webhook_outbox o SET seq = r.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM webhook_outbox) r
WHERE o.id = r.id;
SELECT setval(pg_get_serial_sequence('webhook_outbox', 'seq'), COALESCE(MAX(seq), 0) + 1, false) FROM webhook_outbox;
CREATE INDEX ix_webhook_outbox_seq ON webhook_outbox (seq);
