-- Whose clock renews an organization's plan tokens: the plan's reset day (FALSE), or the paid invoices of the Stripe
-- subscription that holds the plan (TRUE; invoice.paid renews them, on the subscription's own billing anchor), so the
-- allowance never resets twice in one period.
ALTER TABLE ledger_balance ADD COLUMN renewed_by_invoice BOOLEAN NOT NULL DEFAULT FALSE;
