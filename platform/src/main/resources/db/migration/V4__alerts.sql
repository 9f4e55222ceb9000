-- Alerts: one row per crossing (the unique dedupe key), numbered per organization.
-- The counter row is locked FOR UPDATE while an alert is stored, so an organization's sequence
-- numbers are unique and commit in increasing order even across instances: a client that saw
-- sequence N and asks for "after N" misses nothing.
CREATE TABLE alert_sequence (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  CONSTRAINT fk_alert_sequence_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

CREATE TABLE alert (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  sequence_number BIGINT NOT NULL,
  alert_kind VARCHAR(64) NOT NULL,
  alert_level VARCHAR(16) NOT NULL,
  dedupe_key VARCHAR(255) NOT NULL,
  subject VARCHAR(255) NOT NULL,
  message VARCHAR(2000) NOT NULL,
  data_json TEXT NOT NULL,
  raised_at DATETIME(6) NOT NULL,
  acknowledged_at DATETIME(6) NULL,
  acknowledged_by BIGINT NULL,
  CONSTRAINT uq_alert_dedupe UNIQUE (organization_id, dedupe_key),
  CONSTRAINT uq_alert_sequence UNIQUE (organization_id, sequence_number),
  CONSTRAINT fk_alert_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_alert_acknowledged_by FOREIGN KEY (acknowledged_by) REFERENCES app_user (id)
);
CREATE INDEX ix_alert_active ON alert (acknowledged_at, organization_id);
