-- Month close and invoices (issue 17): tax rates, invoices with their lines, payments and credit notes,
-- the gapless number sequences, and late usage kept for review.

-- Tax rates by country and region that platform admins manage. region '' applies to the whole country
-- (a region's own rate wins). effective_to is exclusive, NULL open-ended; the service refuses two rates
-- of one (country, region) whose days overlap. Never changed once set: a new rate ends the old one.
CREATE TABLE tax_rate (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  country CHAR(2) NOT NULL,
  region VARCHAR(100) NOT NULL,
  name VARCHAR(100) NOT NULL,
  percent DECIMAL(9, 6) NOT NULL,
  effective_from DATE NOT NULL,
  effective_to DATE NULL,
  created_by VARCHAR(254) NOT NULL,
  created_at DATETIME(6) NOT NULL
);
CREATE INDEX ix_tax_rate_region ON tax_rate (country, region, effective_from);

-- Organizations whose invoices carry no tax (a reseller's certificate, say).
CREATE TABLE tax_exemption (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  reason VARCHAR(500) NOT NULL,
  created_by VARCHAR(254) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_tax_exemption_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- The last number given per series ('INV-2026', 'CN-2026'): the finalizing transaction locks the row
-- FOR UPDATE and adds one, so numbers are gapless (a rolled back finalization gives its number back).
CREATE TABLE invoice_sequence (
  series VARCHAR(40) NOT NULL PRIMARY KEY,
  last_number BIGINT NOT NULL
);

-- One invoice per organization and billing period (its local month): the close inserts issue 0 and the
-- unique key decides between closers, on any instance, before or after a crash. A void-and-reissue adds
-- issue 1, 2, ... of the same period. DRAFT until the grace ends; then numbered and never changed, but for
-- its status and the paid and credited totals. Amounts are in the invoice currency's minor unit.
CREATE TABLE invoice (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  period_start DATE NOT NULL,
  issue INT NOT NULL,
  period_end DATE NOT NULL,
  starts_at DATETIME(6) NOT NULL,
  ends_at DATETIME(6) NOT NULL,
  finalize_after DATETIME(6) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  status VARCHAR(20) NOT NULL,
  number VARCHAR(40) NULL,
  currency CHAR(3) NOT NULL,
  subtotal DECIMAL(30, 9) NOT NULL,
  tax DECIMAL(30, 9) NOT NULL,
  total DECIMAL(30, 9) NOT NULL,
  amount_paid DECIMAL(30, 9) NOT NULL,
  amount_credited DECIMAL(30, 9) NOT NULL,
  tax_name VARCHAR(100) NULL,
  tax_percent DECIMAL(9, 6) NULL,
  tax_exempt BOOLEAN NOT NULL,
  bill_to_company VARCHAR(200) NULL,
  bill_to_contact VARCHAR(200) NULL,
  bill_to_email VARCHAR(254) NULL,
  bill_to_phone VARCHAR(20) NULL,
  bill_to_address_line1 VARCHAR(200) NULL,
  bill_to_address_line2 VARCHAR(200) NULL,
  bill_to_city VARCHAR(100) NULL,
  bill_to_region VARCHAR(100) NULL,
  bill_to_postal_code VARCHAR(20) NULL,
  bill_to_country CHAR(2) NULL,
  reissue_of BIGINT NULL,
  stripe_invoice_id VARCHAR(255) NULL,
  created_at DATETIME(6) NOT NULL,
  finalized_at DATETIME(6) NULL,
  paid_at DATETIME(6) NULL,
  voided_at DATETIME(6) NULL,
  CONSTRAINT uq_invoice_period UNIQUE (organization_id, period_start, issue),
  CONSTRAINT uq_invoice_number UNIQUE (number),
  CONSTRAINT fk_invoice_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
CREATE INDEX ix_invoice_status ON invoice (status, finalize_after);

-- An invoice's lines in order. usage_period is the period whose usage a USAGE or ADJUSTMENT line bills
-- (the invoice's own, or an earlier one for late usage), dimension_value its provider/model: what the
-- next close compares with the rollups to find late usage. amount is rounded once to the minor unit;
-- informative lines (prepaid balances used) carry amount 0.
CREATE TABLE invoice_line (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  invoice_id BIGINT NOT NULL,
  position INT NOT NULL,
  kind VARCHAR(20) NOT NULL,
  description VARCHAR(300) NOT NULL,
  usage_period DATE NULL,
  dimension_value VARCHAR(255) NULL,
  quantity DECIMAL(38, 9) NOT NULL,
  unit VARCHAR(20) NOT NULL,
  unit_price DECIMAL(38, 12) NOT NULL,
  amount DECIMAL(30, 9) NOT NULL,
  CONSTRAINT uq_invoice_line_position UNIQUE (invoice_id, position),
  CONSTRAINT fk_invoice_line_invoice FOREIGN KEY (invoice_id) REFERENCES invoice (id)
);

-- Payments received: recorded by hand by platform admins (without Stripe) or from Stripe's invoice.paid.
-- reference is unique per invoice, so a repeated recording or event adds nothing.
CREATE TABLE invoice_payment (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  invoice_id BIGINT NOT NULL,
  amount DECIMAL(30, 9) NOT NULL,
  method VARCHAR(20) NOT NULL,
  reference VARCHAR(255) NOT NULL,
  paid_at DATETIME(6) NOT NULL,
  recorded_by VARCHAR(254) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_invoice_payment_reference UNIQUE (invoice_id, reference),
  CONSTRAINT fk_invoice_payment_invoice FOREIGN KEY (invoice_id) REFERENCES invoice (id)
);

-- Credit notes: reduce what an open invoice still owes, or credit what a paid one received. Numbered
-- from their own gapless series (CN-2026-000001).
CREATE TABLE credit_note (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  invoice_id BIGINT NOT NULL,
  number VARCHAR(40) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  amount DECIMAL(30, 9) NOT NULL,
  reason VARCHAR(500) NOT NULL,
  created_by VARCHAR(254) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_credit_note_number UNIQUE (number),
  CONSTRAINT fk_credit_note_invoice FOREIGN KEY (invoice_id) REFERENCES invoice (id)
);

-- Usage that arrived for a period older than meterline.invoices.late-usage-horizon: never billed silently,
-- listed for review (lateUsageForReview). One row per period and provider/model, holding the latest
-- unbilled difference found by a close.
CREATE TABLE late_usage (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  usage_period DATE NOT NULL,
  dimension_value VARCHAR(255) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount DECIMAL(30, 9) NOT NULL,
  found_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_late_usage UNIQUE (organization_id, usage_period, dimension_value, currency),
  CONSTRAINT fk_late_usage_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);
