-- Report notifications already sent: one row per organization, kind and period, written in the
-- same transaction as the webhook deliveries it causes. The primary key decides who sends when
-- several instances run the job at once (the loser's insert fails and its transaction rolls back),
-- so `usage.daily_summary` goes out once per organization and local day and `report.completed`
-- once per organization and month, however often the job runs.
CREATE TABLE usage_report_notice (
  organization_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  period_start DATE NOT NULL,
  sent_at DATETIME(6) NOT NULL,
  PRIMARY KEY (organization_id, kind, period_start)
);
