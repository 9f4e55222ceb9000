-- Each priced event's cost in the organization's billing currency, and what converted it: the rate
-- (units of the billing currency per unit of the event's currency, 1 for the same currency) and the
-- day of that rate. Written once, at ingestion or when a held event gets its rate; never re-converted.
ALTER TABLE usage_event ADD COLUMN billing_cost DECIMAL(30, 9) NULL;
ALTER TABLE usage_event ADD COLUMN billing_currency CHAR(3) NULL;
ALTER TABLE usage_event ADD COLUMN fx_rate DECIMAL(24, 12) NULL;
ALTER TABLE usage_event ADD COLUMN fx_rate_date DATE NULL;

-- Priced events waiting for an exchange rate: few, so converting them never scans usage_event, and
-- the summary counts them (requests) over a range without touching usage_event either.
CREATE TABLE usage_unconverted (
  usage_event_id BIGINT NOT NULL PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  requests INT NOT NULL,
  cost DECIMAL(30, 9) NOT NULL,
  currency CHAR(3) NOT NULL
);
CREATE INDEX ix_usage_unconverted_time ON usage_unconverted (organization_id, occurred_at);

-- Events stored before conversion existed wait like any other, and are converted by the first pass.
INSERT INTO usage_unconverted (usage_event_id, organization_id, occurred_at, requests, cost, currency)
SELECT id, organization_id, occurred_at, requests, cost, currency FROM usage_event WHERE cost IS NOT NULL;

-- Every conversion of a held event, for audit.
CREATE TABLE usage_convert_audit (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  usage_event_id BIGINT NOT NULL,
  cost DECIMAL(30, 9) NOT NULL,
  currency CHAR(3) NOT NULL,
  billing_cost DECIMAL(30, 9) NOT NULL,
  billing_currency CHAR(3) NOT NULL,
  fx_rate DECIMAL(24, 12) NOT NULL,
  fx_rate_date DATE NOT NULL,
  converted_at DATETIME(6) NOT NULL,
  converted_by VARCHAR(254) NOT NULL
);

-- Billing currencies by the day they apply from (UTC days, like the rate day of an event). An
-- organization without rows bills in organization.billing_currency on every day; once it has rows,
-- the row with the latest effective_from on or before a day names that day's currency (the first
-- change also records the currency it replaces, from 1999-01-01, the first day a rate can exist).
CREATE TABLE organization_billing_currency (
  organization_id BIGINT NOT NULL,
  effective_from DATE NOT NULL,
  currency CHAR(3) NOT NULL,
  PRIMARY KEY (organization_id, effective_from)
);
