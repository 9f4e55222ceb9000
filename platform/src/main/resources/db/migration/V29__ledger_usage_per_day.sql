-- Usage is posted to the ledger once per usage day, not once per ingestion batch (issue 16): one USAGE
-- entry per (organization, UTC day of the usage, account, service, currency), which later usage of the
-- same day adds into, so the transaction list reads like a statement. The UTC day is the day whose
-- exchange rate converted the usage into the billing currency (UsageConverter.rateDay), so a day's
-- entry is the sum of figures converted at that day's rate, and it does not move when the organization
-- changes its time zone. usage_key is that identity as one text, unique per organization ('2026-11-16/
-- CREDITS/ai_data/CAD'); every other kind leaves both NULL, which the unique key allows any number of.
ALTER TABLE ledger_entry ADD COLUMN usage_day DATE NULL;
ALTER TABLE ledger_entry ADD COLUMN usage_key VARCHAR(120) NULL;

-- The per-batch entries of V7, merged per day. Their usage time is not known, only when they were
-- posted (created_at, UTC): that day dates them. The first entry of a day keeps the merged sums and
-- the first event id; the latest time and the last event id are the day's last entry's.
CREATE TABLE ledger_usage_day_merge AS
SELECT organization_id, CAST(created_at AS DATE) AS usage_day, account_kind, service, currency, SUM(amount) AS amount, SUM(tokens) AS tokens,
       SUM(images) AS images, SUM(event_count) AS event_count, MIN(id) AS first_id, MAX(id) AS last_id, MAX(created_at) AS last_at
FROM ledger_entry WHERE kind = 'USAGE'
GROUP BY organization_id, CAST(created_at AS DATE), account_kind, service, currency;

UPDATE ledger_entry SET
  amount = (SELECT m.amount FROM ledger_usage_day_merge m WHERE m.first_id = ledger_entry.id),
  tokens = (SELECT m.tokens FROM ledger_usage_day_merge m WHERE m.first_id = ledger_entry.id),
  images = (SELECT m.images FROM ledger_usage_day_merge m WHERE m.first_id = ledger_entry.id),
  event_count = (SELECT m.event_count FROM ledger_usage_day_merge m WHERE m.first_id = ledger_entry.id),
  created_at = (SELECT m.last_at FROM ledger_usage_day_merge m WHERE m.first_id = ledger_entry.id),
  usage_day = (SELECT m.usage_day FROM ledger_usage_day_merge m WHERE m.first_id = ledger_entry.id)
WHERE id IN (SELECT first_id FROM ledger_usage_day_merge);

-- The last event id is read before the rows holding it are deleted.
CREATE TABLE ledger_usage_day_last AS
SELECT m.first_id, e.last_usage_event_id FROM ledger_usage_day_merge m JOIN ledger_entry e ON e.id = m.last_id;
UPDATE ledger_entry SET last_usage_event_id = (SELECT l.last_usage_event_id FROM ledger_usage_day_last l WHERE l.first_id = ledger_entry.id)
WHERE id IN (SELECT first_id FROM ledger_usage_day_last);

DELETE FROM ledger_entry WHERE kind = 'USAGE' AND id NOT IN (SELECT first_id FROM ledger_usage_day_merge);
DROP TABLE ledger_usage_day_last;
DROP TABLE ledger_usage_day_merge;

-- The same key and description the application writes (LedgerEntry.usage).
UPDATE ledger_entry SET
  usage_key = CONCAT(CAST(usage_day AS CHAR(10)), '/', account_kind, '/', service, '/', COALESCE(currency, '')),
  description = CONCAT(service, ' usage on ', CAST(usage_day AS CHAR(10)),
                       CASE account_kind WHEN 'PLAN_TOKENS' THEN ', from plan tokens' WHEN 'TOPUP_TOKENS' THEN ', from top-up tokens' ELSE '' END)
WHERE kind = 'USAGE';

CREATE UNIQUE INDEX uq_ledger_entry_usage ON ledger_entry (organization_id, usage_key);
-- Lists are sorted by date (created_at: for usage, the latest usage an entry covers), newest first.
CREATE INDEX ix_ledger_entry_dated ON ledger_entry (organization_id, created_at, id);

-- What ledger_unpriced_tokens kept for unpriced token lines it now keeps for every line whose charge
-- waits for the event's billing figure (unpriced, or priced but not yet converted): the share of the
-- line's amount still to charge, uncovered / quantity (tokens no plan or top-up tokens covered, or
-- 1 of 1 for a line that is not tokens).
ALTER TABLE ledger_unpriced_tokens RENAME TO ledger_uncharged_line;
