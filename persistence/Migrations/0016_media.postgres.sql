-- Images sent in conversations (jpg, png or gif, checked by content), served from the server by an unguessable id.
CREATE TABLE media (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    bytes           BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX ix_media_conversation ON media (tenant_id, conversation_id);
