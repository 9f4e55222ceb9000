-- Rollups and aggregates keep the cost in the billing currency (usage_event.billing_cost, V27) beside the
-- original cost, so every dashboard figure in the organization's currency reads as fast as before.
--   billing_currency: the billing currency of the events folded in, '' for unpriced events and for priced
--   ones still waiting for an exchange rate (unconverted: they add nothing to billing_cost). It is part of
--   each key: a local day ('D' rows) spans two UTC days, and a billing-currency change applies from a UTC
--   day on (today included), so one row's events may be billed in two currencies. An event converted later
--   moves from the '' row to its currency's row (UsageRoller refolds it); usage_bucket only adds its
--   billing_cost to its currency's row and leaves its counts where they were: readers add rows up.

-- usage_rollup and usage_session: emptied and rebuilt with the new key; the roller folds every event in
-- again from the start (sessions too, as they are folded in the same roll), as V15 and V17 did.
DROP TABLE usage_rollup;
CREATE TABLE usage_rollup (
  organization_id BIGINT NOT NULL,
  dimension VARCHAR(16) NOT NULL,
  grain CHAR(1) NOT NULL,
  bucket_start DATETIME NOT NULL,
  dimension_value VARCHAR(255) NOT NULL,
  currency CHAR(3) NOT NULL,
  billing_currency CHAR(3) NOT NULL,
  requests BIGINT NOT NULL,
  error_requests BIGINT NOT NULL,
  tokens DECIMAL(38, 9) NOT NULL,
  input_tokens DECIMAL(38, 9) NOT NULL,
  output_tokens DECIMAL(38, 9) NOT NULL,
  characters DECIMAL(38, 9) NOT NULL,
  minutes DECIMAL(38, 9) NOT NULL,
  images DECIMAL(38, 9) NOT NULL,
  cost DECIMAL(38, 9) NOT NULL,
  billing_cost DECIMAL(38, 9) NOT NULL,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (organization_id, dimension, grain, bucket_start, dimension_value, currency, billing_currency)
);

DROP TABLE usage_session;
CREATE TABLE usage_session (
  organization_id BIGINT NOT NULL,
  session_key VARCHAR(128) NOT NULL,
  currency CHAR(3) NOT NULL,
  billing_currency CHAR(3) NOT NULL,
  first_at DATETIME(6) NOT NULL,
  last_at DATETIME(6) NOT NULL,
  requests BIGINT NOT NULL,
  error_requests BIGINT NOT NULL,
  tokens DECIMAL(38, 9) NOT NULL,
  input_tokens DECIMAL(38, 9) NOT NULL,
  output_tokens DECIMAL(38, 9) NOT NULL,
  cost DECIMAL(38, 9) NOT NULL,
  billing_cost DECIMAL(38, 9) NOT NULL,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (organization_id, session_key, currency, billing_currency)
);
CREATE INDEX ix_usage_session_last ON usage_session (organization_id, last_at);

DELETE FROM usage_rollup_gap;
UPDATE usage_rollup_progress SET last_event_id = 0, rolled_at = '1970-01-01 00:00:00' WHERE id = 1;

-- usage_bucket (the 15-minute aggregates usageSummary reads, kept by ingestion): the existing rows keep their
-- counts under billing_currency ''; the events converted so far add their billing_cost in rows of their own.
ALTER TABLE usage_bucket ADD COLUMN billing_currency CHAR(3) NOT NULL DEFAULT '';
ALTER TABLE usage_bucket ADD COLUMN billing_cost DECIMAL(38, 9) NOT NULL DEFAULT 0;
ALTER TABLE usage_bucket DROP PRIMARY KEY;
ALTER TABLE usage_bucket ADD PRIMARY KEY (organization_id, bucket_start, provider, model, billing_currency);
INSERT INTO usage_bucket (organization_id, bucket_start, provider, model, billing_currency, requests, error_requests, unpriced_requests, billing_cost)
SELECT organization_id, bucket_start, provider, model, billing_currency, 0, 0, 0, SUM(billing_cost)
FROM (SELECT organization_id, provider, model, billing_currency, billing_cost,
             TIMESTAMPADD(MINUTE, 15 * FLOOR(TIMESTAMPDIFF(MINUTE, TIMESTAMP '2000-01-01 00:00:00', occurred_at) / 15), TIMESTAMP '2000-01-01 00:00:00') AS bucket_start
      FROM usage_event WHERE billing_cost IS NOT NULL) converted
GROUP BY organization_id, bucket_start, provider, model, billing_currency;
