-- Credit notes settle (issue 17 follow-up): how each one settles, and what Stripe must be told.
-- settlement: REDUCE_AMOUNT_DUE (an open invoice owes less), REFUND (money paid goes back) or ACCOUNT_CREDIT
-- (money paid becomes CREDITS in the ledger). Notes issued before settlements existed keep NULL if they
-- credited a paid invoice (they only recorded the amount).
ALTER TABLE credit_note ADD COLUMN settlement VARCHAR(20) NULL;
UPDATE credit_note SET settlement = 'REDUCE_AMOUNT_DUE' WHERE kind = 'REDUCE_DUE';
-- The outbox of credit notes Stripe must hear of (a reduction of an open Stripe invoice, a refund of a
-- Stripe payment): stripe_required is set in the note's transaction, stripe_credit_note_id once Stripe
-- answered; rows with the first and without the second are sent again with the same idempotency key.
ALTER TABLE credit_note ADD COLUMN stripe_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE credit_note ADD COLUMN stripe_credit_note_id VARCHAR(255) NULL;
-- Voids Stripe must hear of: a VOID invoice with a stripe_invoice_id and no stripe_voided_at is voided in
-- Stripe again (same idempotency key) until Stripe answered, or Stripe told us itself (invoice.voided).
ALTER TABLE invoice ADD COLUMN stripe_voided_at DATETIME(6) NULL;
