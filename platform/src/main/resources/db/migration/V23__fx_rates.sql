-- Exchange rates (issue 16, part 1; fx.FxStore). Every rate is stored against one base, the euro, as the
-- European Central Bank publishes them: `rate` units of quote_currency buy 1 base_currency on rate_date.
-- Cross rates (USD to CAD) are computed from two rows, never stored.
-- Rows are never updated or deleted: the unique key makes every load insert-if-absent, so loads are
-- idempotent across instances, and the first rate stored for a pair and day is the one kept forever
-- (a MANUAL rate set for a day ECB has not published yet stays when ECB publishes it; setting a rate for a
-- day that has one is refused).
CREATE TABLE fx_rate (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    base_currency CHAR(3) NOT NULL,
    quote_currency CHAR(3) NOT NULL,
    rate_date DATE NOT NULL,
    -- 12 integer and 12 decimal digits: the ECB's rates have at most 6 significant decimals, IDR the most integer digits.
    rate DECIMAL(24, 12) NOT NULL,
    -- ECB, MANUAL or BUNDLED (fx.FxSource).
    source VARCHAR(16) NOT NULL,
    -- The platform admin who set a MANUAL rate (email at the time); null for ECB and BUNDLED.
    set_by VARCHAR(320),
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT uq_fx_rate_pair_day UNIQUE (base_currency, quote_currency, rate_date)
);
-- The unique key serves the converter (one currency's whole history); this one the loaders' "which days are stored".
CREATE INDEX ix_fx_rate_day ON fx_rate (rate_date);

-- The ECB loader's state, shared by every instance: who holds the lease for the next run, and what the
-- last run did. last_error is a class (fx.FxLoadError), never text from the peer.
CREATE TABLE fx_load_status (
    source VARCHAR(16) PRIMARY KEY,
    lease_until DATETIME(6),
    last_attempt_at DATETIME(6),
    last_success_at DATETIME(6),
    last_failure_at DATETIME(6),
    last_error VARCHAR(32),
    last_http_status INT,
    attempts INT NOT NULL DEFAULT 0,
    latest_rate_date DATE,
    rates_stored INT NOT NULL DEFAULT 0
);
INSERT INTO fx_load_status (source) VALUES ('ECB');
