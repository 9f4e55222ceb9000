package io.meterline.platform.fx;

import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.common.jdbc.TimeColumns;
import io.meterline.platform.graphql.Connection.Position;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rates and the loader status in the database. Rates are only ever inserted, with
 * {@code INSERT IGNORE} on the unique (base, quote, day): whoever stores a pair's day first wins, every
 * later attempt (another instance's load, a repeated bundled load) changes nothing.
 */
@Singleton
public class FxStore implements RateHistory {

    private static final String ECB = FxSource.ECB.name();
    private static final String COLUMNS = "id, base_currency, quote_currency, rate_date, rate, source, set_by, created_at";

    private final TransactionOperations<Connection> transactions;

    public FxStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /**
     * A rate to store against the base.
     *
     * @param quoteCurrency the currency priced
     * @param rateDate the day
     * @param rate units of the currency per base unit
     * @param source where it came from
     * @param setBy who set a MANUAL rate
     */
    record NewRate(String quoteCurrency, LocalDate rateDate, BigDecimal rate, FxSource source, @Nullable String setBy) {
    }

    @Override
    public List<FxRate> history(String quoteCurrency) {
        return read(connection -> query(connection, "SELECT " + COLUMNS
                + " FROM fx_rate WHERE base_currency = ? AND quote_currency = ? ORDER BY rate_date", FxConverter.BASE, quoteCurrency));
    }

    Optional<FxRate> find(String quoteCurrency, LocalDate day) {
        return read(connection -> query(connection, "SELECT " + COLUMNS
                + " FROM fx_rate WHERE base_currency = ? AND quote_currency = ? AND rate_date = ?", FxConverter.BASE, quoteCurrency, day))
                .stream().findFirst();
    }

    /** The newest day any rate is stored for (the day index answers it). */
    Optional<LocalDate> newestRateDate() {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT MAX(rate_date) FROM fx_rate"); ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.ofNullable(rows.getObject(1, LocalDate.class)) : Optional.<LocalDate>empty();
            }
        });
    }

    /** Stores one rate unless its currency has one for that day; whether it was stored. */
    boolean insertIfAbsent(NewRate rate, Instant now) {
        return write(connection -> insert(connection, List.of(rate), now)) > 0;
    }

    /** Stores the rates whose currency and day have none yet, in one transaction; how many were stored. */
    int insertAllIfAbsent(List<NewRate> rates, Instant now) {
        return write(connection -> insert(connection, rates, now));
    }

    /** A page of stored rates, newest day first, after a keyset position (day as epoch day, then id, both descending), or from the start. */
    List<FxRate> page(@Nullable String quoteCurrency, @Nullable Position after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM fx_rate WHERE base_currency = ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(FxConverter.BASE);
        if (quoteCurrency != null) {
            sql.append(" AND quote_currency = ?");
            parameters.add(quoteCurrency);
        }
        if (after != null) {
            LocalDate afterDay = LocalDate.ofEpochDay(after.value());
            sql.append(" AND (rate_date < ? OR (rate_date = ? AND id < ?))");
            parameters.add(afterDay);
            parameters.add(afterDay);
            parameters.add(after.id());
        }
        sql.append(" ORDER BY rate_date DESC, id DESC LIMIT ?");
        parameters.add(limit);
        return read(connection -> query(connection, sql.toString(), parameters.toArray()));
    }

    long count(@Nullable String quoteCurrency) {
        return read(connection -> {
            String sql = "SELECT COUNT(*) FROM fx_rate WHERE base_currency = ?" + (quoteCurrency == null ? "" : " AND quote_currency = ?");
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, FxConverter.BASE);
                if (quoteCurrency != null) {
                    statement.setString(2, quoteCurrency);
                }
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** The days between two days (both included) that have rates from a source. */
    Set<LocalDate> daysFrom(FxSource source, LocalDate first, LocalDate last) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT DISTINCT rate_date FROM fx_rate"
                    + " WHERE base_currency = ? AND source = ? AND rate_date BETWEEN ? AND ?")) {
                statement.setString(1, FxConverter.BASE);
                statement.setString(2, source.name());
                statement.setObject(3, first);
                statement.setObject(4, last);
                Set<LocalDate> days = new HashSet<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        days.add(rows.getObject(1, LocalDate.class));
                    }
                }
                return days;
            }
        });
    }

    /** How many rates are stored for a day, all currencies. */
    long countOn(LocalDate day) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM fx_rate WHERE base_currency = ? AND rate_date = ?")) {
                statement.setString(1, FxConverter.BASE);
                statement.setObject(2, day);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    FxLoadStatus status() {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT last_attempt_at, last_success_at, last_failure_at, last_error,"
                    + " last_http_status, attempts, latest_rate_date, rates_stored FROM fx_load_status WHERE source = ?")) {
                statement.setString(1, ECB);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new IllegalStateException("fx_load_status has no ECB row; V23__fx_rates.sql inserts it");
                    }
                    String error = rows.getString(4);
                    int httpStatus = rows.getInt(5);
                    Integer lastHttpStatus = rows.wasNull() ? null : httpStatus;
                    return new FxLoadStatus(instant(rows, 1), instant(rows, 2), instant(rows, 3), error == null ? null : FxLoadError.valueOf(error),
                            lastHttpStatus, rows.getInt(6), rows.getObject(7, LocalDate.class), rows.getInt(8));
                }
            }
        });
    }

    /**
     * Claims the next load for this instance until {@code until}, unless another instance holds an
     * unexpired lease; whether it was claimed.
     */
    boolean claimLoad(Instant now, Instant until) {
        return write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE fx_load_status SET lease_until = ?, last_attempt_at = ?"
                    + " WHERE source = ? AND (lease_until IS NULL OR lease_until <= ?)")) {
                statement.setObject(1, TimeColumns.toColumn(until));
                statement.setObject(2, TimeColumns.toColumn(now));
                statement.setString(3, ECB);
                statement.setObject(4, TimeColumns.toColumn(now));
                return statement.executeUpdate() == 1;
            }
        });
    }

    /** Stores a load's rates and its success in one transaction, and releases the lease: all or nothing. */
    int storeLoad(List<NewRate> rates, @Nullable LocalDate latestDay, int attempts, Instant now) {
        return write(connection -> {
            int stored = insert(connection, rates, now);
            try (PreparedStatement statement = connection.prepareStatement("UPDATE fx_load_status SET lease_until = NULL, last_success_at = ?,"
                    + " attempts = ?, rates_stored = ?, latest_rate_date = CASE WHEN latest_rate_date IS NULL OR latest_rate_date < ? THEN ? ELSE latest_rate_date END"
                    + " WHERE source = ?")) {
                statement.setObject(1, TimeColumns.toColumn(now));
                statement.setInt(2, attempts);
                statement.setInt(3, stored);
                statement.setObject(4, latestDay);
                statement.setObject(5, latestDay);
                statement.setString(6, ECB);
                statement.executeUpdate();
            }
            return stored;
        });
    }

    /** Records a load that gave up, and releases the lease. */
    void recordFailure(FxLoadError error, @Nullable Integer httpStatus, int attempts, Instant now) {
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE fx_load_status SET lease_until = NULL, last_failure_at = ?,"
                    + " last_error = ?, last_http_status = ?, attempts = ? WHERE source = ?")) {
                statement.setObject(1, TimeColumns.toColumn(now));
                statement.setString(2, error.name());
                if (httpStatus == null) {
                    statement.setNull(3, Types.INTEGER);
                }
                else {
                    statement.setInt(3, httpStatus);
                }
                statement.setInt(4, attempts);
                statement.setString(5, ECB);
                return statement.executeUpdate();
            }
        });
    }

    private <T> T write(JdbcWork<T> work) {
        return JdbcWork.write(transactions, work);
    }

    private <T> T read(JdbcWork<T> work) {
        return JdbcWork.read(transactions, work);
    }

    private static int insert(Connection connection, List<NewRate> rates, Instant now) throws SQLException {
        int stored = 0;
        try (PreparedStatement statement = connection.prepareStatement("INSERT IGNORE INTO fx_rate"
                + " (base_currency, quote_currency, rate_date, rate, source, set_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            // One statement per rate, not a batch: drivers report a batch's per-row counts differently
            // (MariaDB may answer SUCCESS_NO_INFO), and the count of rows stored must be exact.
            for (NewRate rate : rates) {
                statement.setString(1, FxConverter.BASE);
                statement.setString(2, rate.quoteCurrency());
                statement.setObject(3, rate.rateDate());
                statement.setBigDecimal(4, rate.rate());
                statement.setString(5, rate.source().name());
                statement.setString(6, rate.setBy());
                statement.setObject(7, TimeColumns.toColumn(now));
                stored += statement.executeUpdate();
            }
        }
        return stored;
    }

    private static List<FxRate> query(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<FxRate> rates = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    rates.add(new FxRate(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getObject(4, LocalDate.class),
                            rows.getBigDecimal(5).setScale(FxConverter.RATE_SCALE), FxSource.valueOf(rows.getString(6)), rows.getString(7),
                            TimeColumns.fromColumn(rows.getObject(8, LocalDateTime.class))));
                }
            }
            return rates;
        }
    }

    @Nullable
    private static Instant instant(ResultSet rows, int column) throws SQLException {
        LocalDateTime value = rows.getObject(column, LocalDateTime.class);
        return value == null ? null : TimeColumns.fromColumn(value);
    }
}
