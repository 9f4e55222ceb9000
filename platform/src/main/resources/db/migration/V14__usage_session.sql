-- Per chat or session (the event's `session` dimension): its totals, kept by UsageRoller with the rollups.
CREATE TABLE usage_session (
  organization_id BIGINT NOT NULL,
  session_key VARCHAR(128) NOT NULL,
  currency CHAR(3) NOT NULL,
  first_at DATETIME(6) NOT NULL,
  last_at DATETIME(6) NOT NULL,
  requests BIGINT NOT NULL,
  error_requests BIGINT NOT NULL,
  tokens DECIMAL(38, 9) NOT NULL,
  input_tokens DECIMAL(38, 9) NOT NULL,
  output_tokens DECIMAL(38, 9) NOT NULL,
  cost DECIMAL(38, 9) NOT NULL,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (organization_id, session_key, currency)
);
CREATE INDEX ix_usage_session_last ON usage_session (organization_id, last_at);
