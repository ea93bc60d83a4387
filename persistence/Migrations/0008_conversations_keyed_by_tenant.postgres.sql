-- A conversation's record is keyed by its tenant and id: a first save finds only its own tenant's row,
-- and never takes over a record, completed or not.
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey;
ALTER TABLE conversations ADD PRIMARY KEY (tenant_id, id);
