-- Account IDs, the attribution groups of usage (teams, departments, projects), business rules.

-- An access code a tool user types to enter the tools workspace. Codes are stored upper case and
-- unique per organization; archived rows stay, so an archived code can never be reused and its
-- history stays attributed. The daily token limit is a HARD budget of the budget engine (budget_id).
CREATE TABLE account_id (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  label VARCHAR(100) NOT NULL,
  status VARCHAR(16) NOT NULL,
  daily_token_limit BIGINT NULL,
  budget_id BIGINT NULL,
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(254) NOT NULL,
  status_changed_at DATETIME(6) NULL,
  CONSTRAINT uq_account_id_code UNIQUE (organization_id, code),
  CONSTRAINT fk_account_id_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_account_id_budget FOREIGN KEY (budget_id) REFERENCES budget (id)
);
CREATE INDEX ix_account_id_list ON account_id (organization_id, status, id);

-- Tokens and requests per account_id dimension value in 15-minute UTC buckets (like usage_bucket),
-- kept in the ingestion transaction, so "today" and "this month" read in any zone without raw events.
CREATE TABLE account_id_usage (
  organization_id BIGINT NOT NULL,
  account_code VARCHAR(128) NOT NULL,
  bucket_start DATETIME NOT NULL,
  tokens DECIMAL(38, 9) NOT NULL,
  requests BIGINT NOT NULL,
  PRIMARY KEY (organization_id, account_code, bucket_start)
);

-- The latest event time per account_id dimension value: the list's "last activity".
CREATE TABLE account_id_activity (
  organization_id BIGINT NOT NULL,
  account_code VARCHAR(128) NOT NULL,
  last_event_at DATETIME(6) NOT NULL,
  PRIMARY KEY (organization_id, account_code)
);

-- Failed sign-ins with an Account ID, for throttling; rows older than the window are deleted at the next failure.
CREATE TABLE account_id_sign_in_attempt (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  attempt_key VARCHAR(200) NOT NULL,
  client_address VARCHAR(64) NOT NULL,
  attempted_at DATETIME(6) NOT NULL
);
CREATE INDEX ix_account_id_sign_in_key ON account_id_sign_in_attempt (attempt_key, client_address, attempted_at);
CREATE INDEX ix_account_id_sign_in_address ON account_id_sign_in_attempt (client_address, attempted_at);
CREATE INDEX ix_account_id_sign_in_time ON account_id_sign_in_attempt (attempted_at);

-- Teams, departments (cost centers) and projects. Usage refers to them by unit_key (the team,
-- department or project dimension); archived rows stay so their history keeps its name.
CREATE TABLE attribution_group (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  group_key VARCHAR(128) NOT NULL,
  name VARCHAR(200) NOT NULL,
  archived BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_attribution_group_key UNIQUE (organization_id, kind, group_key),
  CONSTRAINT fk_attribution_group_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- Users in teams (many) and in one department.
CREATE TABLE attribution_member (
  group_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  added_at DATETIME(6) NOT NULL,
  PRIMARY KEY (group_id, user_id),
  CONSTRAINT fk_attribution_member_group FOREIGN KEY (group_id) REFERENCES attribution_group (id),
  CONSTRAINT fk_attribution_member_user FOREIGN KEY (user_id) REFERENCES app_user (id)
);
CREATE INDEX ix_attribution_member_user ON attribution_member (user_id, kind);

-- Keys seen in usage per dimension (team, department, project), written once per key, so keys
-- without a matching group can be listed without scanning events.
CREATE TABLE usage_dimension_key (
  organization_id BIGINT NOT NULL,
  dimension VARCHAR(16) NOT NULL,
  key_value VARCHAR(128) NOT NULL,
  first_seen_at DATETIME(6) NOT NULL,
  PRIMARY KEY (organization_id, dimension, key_value)
);

-- An organization's business rules (default service intervals), read by its tools.
CREATE TABLE business_rules (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  content MEDIUMTEXT NULL,
  updated_by VARCHAR(254) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_business_rules_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
