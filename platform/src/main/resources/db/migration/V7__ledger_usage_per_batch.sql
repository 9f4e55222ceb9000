-- Usage is posted to the ledger once per ingestion batch per (account, service, currency), not
-- once per event (issue 3): an entry says how many events it covers and the client ids of the
-- first and last of them, in batch order (usage_event_id keeps the first). Other kinds cover none.
ALTER TABLE ledger_entry ADD COLUMN event_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ledger_entry ADD COLUMN last_usage_event_id VARCHAR(128) NULL;

-- Entries posted before this change each covered one event.
UPDATE ledger_entry SET event_count = 1, last_usage_event_id = usage_event_id WHERE kind = 'USAGE' AND usage_event_id IS NOT NULL;
