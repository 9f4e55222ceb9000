-- Identity and tenancy
CREATE TABLE organization (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  slug VARCHAR(63) NOT NULL,
  billing_currency CHAR(3) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  unpriced_usage_policy VARCHAR(16) NOT NULL,
  cost_factor DECIMAL(20, 9) NOT NULL,
  discount_percent DECIMAL(20, 9) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_organization_slug UNIQUE (slug)
);

CREATE TABLE app_user (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NULL,
  email VARCHAR(254) NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  role VARCHAR(20) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_app_user_email UNIQUE (email),
  CONSTRAINT fk_app_user_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

CREATE TABLE refresh_token (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash CHAR(64) NOT NULL,
  user_id BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_refresh_token_hash UNIQUE (token_hash),
  CONSTRAINT fk_refresh_token_user FOREIGN KEY (user_id) REFERENCES app_user (id)
);

CREATE TABLE api_key (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  prefix CHAR(16) NOT NULL,
  secret_hash CHAR(64) NOT NULL,
  label VARCHAR(100) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  last_used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  CONSTRAINT uq_api_key_prefix UNIQUE (prefix),
  CONSTRAINT fk_api_key_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
CREATE INDEX ix_api_key_organization ON api_key (organization_id, id);

-- Price book: every row is one version of one provider/model/meter rate.
CREATE TABLE rate (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  provider VARCHAR(64) NOT NULL,
  model VARCHAR(128) NOT NULL,
  meter VARCHAR(64) NOT NULL,
  unit_price DECIMAL(30, 12) NOT NULL,
  per_quantity BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  version INT NOT NULL,
  effective_from DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(254) NOT NULL,
  CONSTRAINT uq_rate_version UNIQUE (provider, model, meter, version)
);

-- Usage events. (event_id, organization_id) is the durable idempotency key; event_id leads so that
-- the dedupe lookup (event_id IN (...) of one organization) is an index range scan on H2 as on MySQL.
CREATE TABLE usage_event (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  event_id VARCHAR(128) NOT NULL,
  content_hash CHAR(64) NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  received_at DATETIME(6) NOT NULL,
  provider VARCHAR(64) NOT NULL,
  model VARCHAR(128) NOT NULL,
  status VARCHAR(64) NOT NULL,
  duration_ms BIGINT NULL,
  requests INT NOT NULL,
  api_key_id BIGINT NULL,
  account_id VARCHAR(128) NULL,
  member_key VARCHAR(128) NULL,
  team VARCHAR(128) NULL,
  project VARCHAR(128) NULL,
  department VARCHAR(128) NULL,
  feature VARCHAR(128) NULL,
  tool VARCHAR(128) NULL,
  integration VARCHAR(128) NULL,
  session_key VARCHAR(128) NULL,
  mode VARCHAR(128) NULL,
  tags TEXT NULL,
  priced BOOLEAN NOT NULL,
  cost DECIMAL(30, 9) NULL,
  currency CHAR(3) NULL,
  priced_lines TEXT NOT NULL,
  CONSTRAINT uq_usage_event UNIQUE (event_id, organization_id)
);
CREATE INDEX ix_usage_event_time ON usage_event (organization_id, occurred_at);

-- Events waiting for a price: few, so repricing never scans usage_event and inserts keep one index less.
CREATE TABLE usage_unpriced (
  usage_event_id BIGINT NOT NULL PRIMARY KEY,
  provider VARCHAR(64) NOT NULL,
  model VARCHAR(128) NOT NULL,
  occurred_at DATETIME(6) NOT NULL
);
CREATE INDEX ix_usage_unpriced_model ON usage_unpriced (provider, model, occurred_at);

-- Aggregates kept as events arrive, in 15-minute UTC buckets: every IANA offset is a multiple
-- of 15 minutes, so any local day or month is an exact union of buckets.
CREATE TABLE usage_bucket (
  organization_id BIGINT NOT NULL,
  bucket_start DATETIME NOT NULL,
  provider VARCHAR(64) NOT NULL,
  model VARCHAR(128) NOT NULL,
  requests BIGINT NOT NULL,
  error_requests BIGINT NOT NULL,
  unpriced_requests BIGINT NOT NULL,
  PRIMARY KEY (organization_id, bucket_start, provider, model)
);

CREATE TABLE usage_bucket_meter (
  organization_id BIGINT NOT NULL,
  bucket_start DATETIME NOT NULL,
  provider VARCHAR(64) NOT NULL,
  model VARCHAR(128) NOT NULL,
  meter VARCHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  quantity DECIMAL(38, 9) NOT NULL,
  billable_quantity DECIMAL(38, 9) NOT NULL,
  amount DECIMAL(38, 9) NOT NULL,
  PRIMARY KEY (organization_id, bucket_start, provider, model, meter, currency)
);

-- Every automatic repricing of an unpriced event, for audit.
CREATE TABLE usage_reprice_audit (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  usage_event_id BIGINT NOT NULL,
  rate_id BIGINT NOT NULL,
  cost DECIMAL(30, 9) NULL,
  currency CHAR(3) NULL,
  fully_priced BOOLEAN NOT NULL,
  repriced_at DATETIME(6) NOT NULL,
  repriced_by VARCHAR(254) NOT NULL
);
