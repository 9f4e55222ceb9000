-- Budgets: a limit on a metric for a scope over a period. Metric, scope and period are fixed at
-- creation, because the counters below were accumulated under them.
CREATE TABLE budget (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  metric VARCHAR(20) NOT NULL,
  provider VARCHAR(64) NULL,
  meter VARCHAR(64) NULL,
  scope_kind VARCHAR(20) NOT NULL,
  scope_key VARCHAR(128) NULL,
  period_kind VARCHAR(10) NOT NULL,
  limit_amount DECIMAL(38, 9) NULL,
  thresholds VARCHAR(200) NOT NULL,
  enforcement VARCHAR(10) NOT NULL,
  budget_type VARCHAR(20) NOT NULL,
  currency CHAR(3) NULL,
  archived BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_budget_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
CREATE INDEX ix_budget_organization ON budget (organization_id, archived, id);

-- Consumption per budget and period; the row of the current period is also the lock that makes
-- hard-budget authorization exact across instances.
CREATE TABLE budget_counter (
  budget_id BIGINT NOT NULL,
  period_start DATETIME(6) NOT NULL,
  consumed DECIMAL(38, 9) NOT NULL,
  PRIMARY KEY (budget_id, period_start),
  CONSTRAINT fk_budget_counter_budget FOREIGN KEY (budget_id) REFERENCES budget (id)
);

-- Holds of authorized calls, one row per (reservation, budget); deleted when the call's usage is
-- recorded, ignored once expired and cleaned lazily.
CREATE TABLE budget_reservation (
  reservation_id VARCHAR(40) NOT NULL,
  budget_id BIGINT NOT NULL,
  organization_id BIGINT NOT NULL,
  period_start DATETIME(6) NOT NULL,
  amount DECIMAL(38, 9) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (reservation_id, budget_id),
  CONSTRAINT fk_budget_reservation_budget FOREIGN KEY (budget_id) REFERENCES budget (id)
);
CREATE INDEX ix_budget_reservation_period ON budget_reservation (budget_id, period_start, expires_at);
CREATE INDEX ix_budget_reservation_organization ON budget_reservation (organization_id, reservation_id);

-- Colour bands of budget percentages per organization; none stored means the default bands.
CREATE TABLE budget_band (
  organization_id BIGINT NOT NULL,
  band_order INT NOT NULL,
  name VARCHAR(40) NOT NULL,
  from_percent INT NOT NULL,
  PRIMARY KEY (organization_id, band_order),
  CONSTRAINT fk_budget_band_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
