-- Invoices net what prepaid balances covered (issue 17 follow-up): the overdraft an invoice billed, that is the
-- money credits its period's usage drew beyond what was prepaid. Its finalization posts it to the ledger as an
-- INVOICED entry (the overdraft is owed on the invoice now, so the balance returns to where it was), and voiding
-- the invoice posts it back; both read the amount from here.
ALTER TABLE invoice ADD COLUMN overdraft_billed DECIMAL(30, 9) NOT NULL DEFAULT 0;

-- What each feature accounts for of an invoice's usage lines (a breakdown of the same usage, not lines of their own),
-- frozen at finalization with the lines: amounts in the invoice currency adding up exactly to the usage lines' total,
-- shares to exactly 1. feature NULL: the events that named no feature.
CREATE TABLE invoice_feature_charge (
  invoice_id BIGINT NOT NULL,
  position INT NOT NULL,
  feature VARCHAR(255) NULL,
  amount DECIMAL(30, 9) NOT NULL,
  share DECIMAL(9, 6) NOT NULL,
  PRIMARY KEY (invoice_id, position),
  CONSTRAINT fk_invoice_feature_charge_invoice FOREIGN KEY (invoice_id) REFERENCES invoice (id)
);
