-- usage_rollup also keeps grain L: the organization's total (dimension ALL) by its local hour, for the
-- events that happened while its zone's offset was not whole hours (Asia/Kolkata +05:30, Asia/Kathmandu
-- +05:45), where UTC hours are not local hours. Busiest hours of the week then read one row per local
-- hour instead of four quarter rows (AnalyticsService.hoursOfWeek).
-- The rows rolled up so far have no L rows: emptied here, and the roller folds every event in again from
-- the start (sessions too, as they are folded in the same roll), as V15 did.
DELETE FROM usage_rollup;
DELETE FROM usage_session;
DELETE FROM usage_rollup_gap;
UPDATE usage_rollup_progress SET last_event_id = 0, rolled_at = '1970-01-01 00:00:00' WHERE id = 1;
