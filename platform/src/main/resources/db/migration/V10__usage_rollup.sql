-- Usage per attribution value and time grain, for series and breakdowns by any dimension without
-- touching raw events. UsageRoller folds committed usage_event rows in, after the fact: the
-- ingestion transaction writes nothing here.
--   grain: Q = 15 minutes, H = hour, D = day, all in UTC; any local bucket in any zone is an exact
--   union of whole days, whole hours and quarter hours (every zone offset is a whole quarter hour).
--   dimension: ALL (value ''), PROVIDER, MODEL ('provider/model'), ACCOUNT_ID, API_KEY (the key's row
--   id), MEMBER, TEAM, PROJECT, DEPARTMENT, FEATURE, TOOL, INTEGRATION, MODE; '' for an event without it.
--   currency: the cost's currency, '' for unpriced events.
CREATE TABLE usage_rollup (
  organization_id BIGINT NOT NULL,
  dimension VARCHAR(16) NOT NULL,
  grain CHAR(1) NOT NULL,
  bucket_start DATETIME NOT NULL,
  dimension_value VARCHAR(255) NOT NULL,
  currency CHAR(3) NOT NULL,
  requests BIGINT NOT NULL,
  error_requests BIGINT NOT NULL,
  tokens DECIMAL(38, 9) NOT NULL,
  input_tokens DECIMAL(38, 9) NOT NULL,
  output_tokens DECIMAL(38, 9) NOT NULL,
  characters DECIMAL(38, 9) NOT NULL,
  minutes DECIMAL(38, 9) NOT NULL,
  images DECIMAL(38, 9) NOT NULL,
  cost DECIMAL(38, 9) NOT NULL,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (organization_id, dimension, grain, bucket_start, dimension_value, currency)
);

-- How far UsageRoller got: every usage_event id up to last_event_id is folded in, except the ids
-- in usage_rollup_gap (not yet committed when passed, or never: rolled back).
CREATE TABLE usage_rollup_progress (
  id INT NOT NULL PRIMARY KEY,
  last_event_id BIGINT NOT NULL,
  rolled_at DATETIME(6) NOT NULL
);
INSERT INTO usage_rollup_progress (id, last_event_id, rolled_at) VALUES (1, 0, '1970-01-01 00:00:00');

CREATE TABLE usage_rollup_gap (
  first_id BIGINT NOT NULL PRIMARY KEY,
  last_id BIGINT NOT NULL,
  seen_at DATETIME(6) NOT NULL
);
