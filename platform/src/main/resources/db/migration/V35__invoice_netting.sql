-- Invoices net what prepaid balances covered (issue 17 follow-up): the overdraft an invoice billed, that is the
-- money credits its period's usage drew beyond what was prepaid. Its finalization posts it to the ledger as an
-- INVOICED entry (the overdraft is owed on the invoice now, so the balance returns to where it was), and voiding
-- the invoice posts it back; both read the amount from here.
ALTER TABLE invoice ADD COLUMN overdraft_billed DECIMAL(30, 9) NOT NULL DEFAULT 0;
