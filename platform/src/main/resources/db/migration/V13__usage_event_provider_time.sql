-- The admin's recent activity reads the latest calls across organizations, of one provider or of
-- each installed provider merged: a walk backwards along this index, never a scan of usage_event.
-- One index serves both, where (occurred_at) alone would not serve the provider filter.
CREATE INDEX ix_usage_event_provider_time ON usage_event (provider, occurred_at);
