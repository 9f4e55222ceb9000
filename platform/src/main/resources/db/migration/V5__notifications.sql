-- Alert delivery: each organization's alert settings, webhook endpoints and the webhook outbox.

-- One row per organization once its settings were saved; no row reads as the defaults (off, 80 %).
CREATE TABLE alert_settings (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  enabled BOOLEAN NOT NULL,
  threshold_percent INT NOT NULL,
  email VARCHAR(254) NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_alert_settings_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- The signing secret is kept as is: every delivery is signed with it. Deleting an endpoint keeps
-- the row (deleted_at) so its delivery log stays readable and pending deliveries stop.
CREATE TABLE webhook_endpoint (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  url VARCHAR(2000) NOT NULL,
  event_types VARCHAR(1000) NOT NULL,
  description VARCHAR(500) NULL,
  signing_secret VARCHAR(100) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  deleted_at DATETIME(6) NULL,
  CONSTRAINT fk_webhook_endpoint_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
CREATE INDEX ix_webhook_endpoint_organization ON webhook_endpoint (organization_id, id);

-- The outbox and the delivery log in one: written in the transaction of the change that caused the
-- event, claimed by a dispatcher when next_attempt_at is due.
CREATE TABLE webhook_delivery (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  endpoint_id BIGINT NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  payload TEXT NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempt_count INT NOT NULL,
  last_status_code INT NULL,
  last_error VARCHAR(1000) NULL,
  next_attempt_at DATETIME(6) NULL,
  delivered_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_webhook_delivery_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoint (id)
);
CREATE INDEX ix_webhook_delivery_due ON webhook_delivery (status, next_attempt_at);
CREATE INDEX ix_webhook_delivery_endpoint ON webhook_delivery (endpoint_id, id);
