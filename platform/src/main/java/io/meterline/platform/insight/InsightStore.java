package io.meterline.platform.insight;

import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.usage.TimeBuckets;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the 15-minute aggregates ({@code usage_bucket}, {@code usage_bucket_meter}), never raw
 * events: two statements per read whatever the number of events behind them.
 */
@Singleton
class InsightStore {

    /** The unit of token meters in the plugins' meter table (the classification {@code usageSummary} counts tokens by). */
    static final String TOKEN_UNIT = "token";

    private final JdbcOperations jdbc;
    private final PluginRegistry plugins;

    InsightStore(JdbcOperations jdbc, PluginRegistry plugins) {
        this.jdbc = jdbc;
        this.plugins = plugins;
    }

    /** Calls, tokens and cost per currency of one bucket (or of a whole range). */
    static final class Totals {
        long requests;
        BigDecimal tokens = BigDecimal.ZERO;
        final Map<String, BigDecimal> cost = new TreeMap<>();

        void add(Totals other) {
            requests += other.requests;
            tokens = tokens.add(other.tokens);
            other.cost.forEach((currency, amount) -> cost.merge(currency, amount, BigDecimal::add));
        }
    }

    /** One model's quantity of one meter. */
    record ModelMeter(String provider, String model, String meter, String unit, BigDecimal quantity) {
    }

    /** The totals of each 15-minute bucket with usage in {@code [start, end)}, by bucket start. */
    TreeMap<Instant, Totals> perBucket(long organizationId, Instant start, Instant end) {
        return read(organizationId, start, end, true);
    }

    /** The totals of {@code [start, end)}. */
    Totals total(long organizationId, Instant start, Instant end) {
        return read(organizationId, start, end, false).getOrDefault(start, new Totals());
    }

    /** Each model's meter quantities in {@code [start, end)}. */
    List<ModelMeter> modelMeters(long organizationId, Instant start, Instant end) {
        return jdbc.prepareStatement("SELECT provider, model, meter, SUM(quantity) FROM usage_bucket_meter"
                + " WHERE organization_id = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY provider, model, meter", statement -> {
            bind(statement, organizationId, start, end);
            List<ModelMeter> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(new ModelMeter(result.getString(1), result.getString(2), result.getString(3),
                            unit(result.getString(1), result.getString(3)), result.getBigDecimal(4)));
                }
            }
            return rows;
        });
    }

    /** Organizations with usage since a time: the ones worth checking for anomalies. */
    List<Long> activeOrganizations(Instant since) {
        return jdbc.prepareStatement("SELECT DISTINCT organization_id FROM usage_bucket WHERE bucket_start >= ?", statement -> {
            statement.setObject(1, TimeBuckets.toColumn(since));
            List<Long> ids = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    ids.add(result.getLong(1));
                }
            }
            return ids;
        });
    }

    String unit(String provider, String meter) {
        return plugins.units(provider).getOrDefault(meter, "unit");
    }

    private TreeMap<Instant, Totals> read(long organizationId, Instant start, Instant end, boolean perBucket) {
        String bucket = perBucket ? "bucket_start, " : "";
        String groupBucket = perBucket ? "bucket_start" : "";
        Map<Instant, Totals> byBucket = new HashMap<>();
        jdbc.prepareStatement("SELECT " + bucket + "SUM(requests) FROM usage_bucket WHERE organization_id = ? AND bucket_start >= ? AND bucket_start < ?"
                + (perBucket ? " GROUP BY " + groupBucket : ""), statement -> {
            bind(statement, organizationId, start, end);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    int column = 1;
                    Instant key = perBucket ? TimeBuckets.fromColumn(result.getObject(column++, LocalDateTime.class)) : start;
                    byBucket.computeIfAbsent(key, ignored -> new Totals()).requests += result.getLong(column);
                }
            }
            return null;
        });
        jdbc.prepareStatement("SELECT " + bucket + "provider, meter, currency, SUM(quantity), SUM(amount) FROM usage_bucket_meter"
                + " WHERE organization_id = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY " + bucket + "provider, meter, currency", statement -> {
            bind(statement, organizationId, start, end);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    int column = 1;
                    Instant key = perBucket ? TimeBuckets.fromColumn(result.getObject(column++, LocalDateTime.class)) : start;
                    String provider = result.getString(column++);
                    String meter = result.getString(column++);
                    String currency = result.getString(column++);
                    BigDecimal quantity = result.getBigDecimal(column++);
                    BigDecimal amount = result.getBigDecimal(column);
                    Totals totals = byBucket.computeIfAbsent(key, ignored -> new Totals());
                    if (TOKEN_UNIT.equals(unit(provider, meter))) {
                        totals.tokens = totals.tokens.add(quantity);
                    }
                    if (!currency.isEmpty()) {
                        totals.cost.merge(currency, amount, BigDecimal::add);
                    }
                }
            }
            return null;
        });
        return new TreeMap<>(byBucket);
    }

    private static void bind(PreparedStatement statement, long organizationId, Instant start, Instant end) throws SQLException {
        statement.setLong(1, organizationId);
        statement.setObject(2, TimeBuckets.toColumn(start));
        statement.setObject(3, TimeBuckets.toColumn(end));
    }
}
