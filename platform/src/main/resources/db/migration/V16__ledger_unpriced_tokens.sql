-- Unpriced token lines draw plan and top-up tokens at ingestion like any other, but their uncovered
-- share cannot be charged yet. What was left uncovered is kept here, per event and meter, until a
-- repricing prices the line and charges exactly that share to CREDITS (and deletes the row).
-- Written for every unpriced token line, uncovered or not: a line without a row was stored before
-- this table existed, and a repricing charges it in full.
CREATE TABLE ledger_unpriced_tokens (
  organization_id BIGINT NOT NULL,
  event_id VARCHAR(128) NOT NULL,
  meter VARCHAR(64) NOT NULL,
  quantity BIGINT NOT NULL,
  uncovered BIGINT NOT NULL,
  CONSTRAINT pk_ledger_unpriced_tokens PRIMARY KEY (organization_id, event_id, meter)
);
