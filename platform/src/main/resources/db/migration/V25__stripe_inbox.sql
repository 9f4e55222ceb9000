-- Stripe's webhook events, stored once by their id before they are answered (the inbox), then applied
-- by a worker on any instance: a replayed event finds its row and changes nothing. Kept as the record
-- of what Stripe told us; the payload is the verified raw JSON.
CREATE TABLE stripe_event (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id VARCHAR(255) NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  api_version VARCHAR(40) NULL,
  -- Stripe's creation time of the event: handlers compare it so an older event never undoes newer state.
  stripe_created_at DATETIME(6) NOT NULL,
  livemode BOOLEAN NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  -- PENDING (to apply), APPLIED, IGNORED (no handler), FAILED (attempts ran out), VERSION_MISMATCH (not applied).
  status VARCHAR(20) NOT NULL,
  attempt_count INT NOT NULL,
  next_attempt_at DATETIME(6) NULL,
  -- A worker's claim: other instances skip the row until it passes.
  claimed_until DATETIME(6) NULL,
  last_error VARCHAR(200) NULL,
  received_at DATETIME(6) NOT NULL,
  applied_at DATETIME(6) NULL,
  CONSTRAINT uq_stripe_event_event_id UNIQUE (event_id)
);
CREATE INDEX ix_stripe_event_due ON stripe_event (status, next_attempt_at);
