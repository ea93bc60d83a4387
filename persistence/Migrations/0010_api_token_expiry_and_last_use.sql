-- API tokens may expire, and show when they were last used (to the minute); admins list them by tenant.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
CREATE INDEX ix_api_tokens_tenant ON api_tokens (tenant_id, created_at);
