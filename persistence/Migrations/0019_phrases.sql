-- MK-7 the phrase library (话术库): FAQ entries (百问百答: a question, similar questions, an answer), enterprise phrases
-- and personal phrases (an agent's own), in categories. title is an entry's question or a phrase's short title; body is
-- the answer or the phrase; similar_questions is a JSON array of an entry's similar questions.
CREATE TABLE phrases (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    kind            TEXT NOT NULL,
    owner_id        TEXT,
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    similar_questions TEXT NOT NULL DEFAULT '[]',
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_phrases_tenant ON phrases (tenant_id, kind, owner_id, category, created_at);
