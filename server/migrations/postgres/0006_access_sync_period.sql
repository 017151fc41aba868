-- The sync period (days) an access was created with: the flow's when a widget session
-- created it, else 90. Syncs without `sync_period` use it (contract §4).
ALTER TABLE accesses ADD COLUMN sync_period BIGINT NOT NULL DEFAULT 90;
