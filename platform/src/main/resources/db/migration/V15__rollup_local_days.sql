-- usage_rollup keeps fewer, coarser rows (see Dimension.grains):
--   grain D is now the organization's local day (its time zone is fixed at creation), not the UTC
--   day: bucket_start is the instant the local day starts. Every dimension is kept at D; only the
--   organization's total (dimension ALL) also at H (UTC hour) and Q (UTC quarter hour). A query reads
--   what no kept grain covers (hours of a dimension, another zone's day edges) from usage_event.
-- The old rows are UTC days and per-dimension hours and quarters: emptied here, and the roller folds
-- every event in again from the start (sessions too, as they are folded in the same roll).
DELETE FROM usage_rollup;
DELETE FROM usage_session;
DELETE FROM usage_rollup_gap;
UPDATE usage_rollup_progress SET last_event_id = 0, rolled_at = '1970-01-01 00:00:00' WHERE id = 1;
