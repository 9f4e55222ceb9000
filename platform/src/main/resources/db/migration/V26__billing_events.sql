-- What the Stripe webhook handlers need: ledger entries posted once per Stripe object, and what a
-- checkout's payment became (its PaymentIntent, how much of it was refunded).

-- One row per ledger entry a system posted for an outside object (a Checkout Session, a paid
-- invoice, a charge's refund total). Kept apart from ledger_entry so usage inserts, by far the most
-- frequent, maintain no extra unique index; the primary key makes a replayed event post nothing.
CREATE TABLE ledger_entry_source (
  source_key VARCHAR(255) NOT NULL PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_ledger_entry_source_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- The PaymentIntent that paid a payment-mode checkout (charge.refunded names it), and the refunded
-- total already applied, so each refund event posts only what it adds to the charge's total.
ALTER TABLE billing_checkout ADD COLUMN stripe_payment_intent_id VARCHAR(255) NULL;
ALTER TABLE billing_checkout ADD COLUMN refunded_amount DECIMAL(30, 9) NOT NULL DEFAULT 0;
CREATE INDEX ix_billing_checkout_payment_intent ON billing_checkout (stripe_payment_intent_id);
