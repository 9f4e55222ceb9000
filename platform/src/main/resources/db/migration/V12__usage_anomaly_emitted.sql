-- Usage anomalies already sent as `usage.anomaly` webhook events: one row per organization,
-- granularity and bucket, so the hourly check sends each anomaly once, however often it runs.
CREATE TABLE usage_anomaly_emitted (
  organization_id BIGINT NOT NULL,
  granularity VARCHAR(8) NOT NULL,
  bucket_start DATETIME NOT NULL,
  emitted_at DATETIME(6) NOT NULL,
  PRIMARY KEY (organization_id, granularity, bucket_start)
);
