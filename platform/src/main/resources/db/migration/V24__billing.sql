-- Billing: plans sold through Stripe, one Stripe customer per organization, its subscription, and
-- the checkouts we started (the Stripe webhook inbox completes them).

-- The recurring Stripe price a subscription checkout sells (null: not sold through Stripe), and
-- whether organization admins see the plan among their options (hidden ones are assigned by admins).
ALTER TABLE plan ADD COLUMN stripe_price_id VARCHAR(255) NULL;
ALTER TABLE plan ADD COLUMN visible BOOLEAN NOT NULL DEFAULT TRUE;
-- A Stripe price sells one plan, so a subscription event maps back to exactly one.
CREATE UNIQUE INDEX uq_plan_stripe_price ON plan (stripe_price_id);

-- One Stripe customer per organization. details_fingerprint is the SHA-256 of the BILL TO details
-- last sent, so the customer is updated only when they changed. The payment method is what the
-- webhook inbox last learned (customer.updated / payment_method.attached); null until then.
CREATE TABLE billing_customer (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  stripe_customer_id VARCHAR(255) NOT NULL,
  details_fingerprint CHAR(64) NOT NULL,
  payment_method_brand VARCHAR(40) NULL,
  payment_method_last4 VARCHAR(4) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_billing_customer_stripe UNIQUE (stripe_customer_id),
  CONSTRAINT fk_billing_customer_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- The organization's current Stripe subscription as Stripe states it. state_at is the creation time
-- of the Stripe event that last set the row: an older event never overwrites newer state.
CREATE TABLE billing_subscription (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  stripe_subscription_id VARCHAR(255) NOT NULL,
  stripe_subscription_item_id VARCHAR(255) NULL,
  plan_id BIGINT NOT NULL,
  status VARCHAR(30) NOT NULL,
  current_period_end DATETIME(6) NULL,
  cancel_at_period_end BOOLEAN NOT NULL,
  state_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_billing_subscription_stripe UNIQUE (stripe_subscription_id),
  CONSTRAINT fk_billing_subscription_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_billing_subscription_plan FOREIGN KEY (plan_id) REFERENCES plan (id)
);

-- Every Checkout Session we created: what it sells, so checkout.session.completed is applied from
-- our row (not from metadata a client could not change anyway, but could be missing), exactly once.
CREATE TABLE billing_checkout (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  stripe_session_id VARCHAR(255) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  plan_id BIGINT NULL,
  tokens BIGINT NULL,
  amount DECIMAL(30, 9) NOT NULL,
  currency CHAR(3) NOT NULL,
  status VARCHAR(20) NOT NULL,
  created_by VARCHAR(254) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  completed_at DATETIME(6) NULL,
  CONSTRAINT uq_billing_checkout_session UNIQUE (stripe_session_id),
  CONSTRAINT fk_billing_checkout_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_billing_checkout_plan FOREIGN KEY (plan_id) REFERENCES plan (id)
);
CREATE INDEX ix_billing_checkout_organization ON billing_checkout (organization_id, id);
