-- Balances: plans, the ledger of entries, and one running-total row per organization.

-- A plan: monthly price and token allowance that resets on reset_day in the organization's zone.
CREATE TABLE plan (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  monthly_price DECIMAL(30, 9) NOT NULL,
  currency CHAR(3) NOT NULL,
  monthly_tokens BIGINT NOT NULL,
  reset_day INT NOT NULL,
  active BOOLEAN NOT NULL,
  free_baseline BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_plan_name UNIQUE (name)
);

-- The free baseline every organization without a plan is on: no price, no token allowance
-- (usage is paid from credits and top-up tokens), resetting on the 1st.
INSERT INTO plan (name, monthly_price, currency, monthly_tokens, reset_day, active, free_baseline, created_at)
VALUES ('Free', 0, 'USD', 0, 1, TRUE, TRUE, '2000-01-01 00:00:00');

-- Every change of a balance. The balance of an account is the sum of its entries; allowance_period
-- is set only on PLAN_ALLOWANCE entries of a period rollover, so each period is granted once.
CREATE TABLE ledger_entry (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  kind VARCHAR(20) NOT NULL,
  account_kind VARCHAR(20) NOT NULL,
  amount DECIMAL(30, 9) NOT NULL,
  currency CHAR(3) NULL,
  service VARCHAR(40) NULL,
  tokens BIGINT NOT NULL,
  images BIGINT NOT NULL,
  description VARCHAR(200) NOT NULL,
  reason VARCHAR(500) NULL,
  created_by VARCHAR(254) NULL,
  usage_event_id VARCHAR(128) NULL,
  allowance_period DATE NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_ledger_entry_allowance UNIQUE (organization_id, allowance_period),
  CONSTRAINT fk_ledger_entry_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
CREATE INDEX ix_ledger_entry_organization ON ledger_entry (organization_id, id);

-- Running totals, changed only in the transaction that inserts the entries they sum, and the row
-- every balance change locks (FOR UPDATE) so draw-downs of one organization never interleave.
CREATE TABLE ledger_balance (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  plan_id BIGINT NULL,
  low_threshold DECIMAL(30, 9) NOT NULL,
  credits DECIMAL(30, 9) NOT NULL,
  plan_tokens BIGINT NOT NULL,
  topup_tokens BIGINT NOT NULL,
  period_start DATE NULL,
  low_crossings BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_ledger_balance_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_ledger_balance_plan FOREIGN KEY (plan_id) REFERENCES plan (id)
);
