package io.meterline.platform.accountid;

import io.meterline.platform.budget.BudgetMeasure;
import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.Upsert;
import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.usage.StoredLine;
import io.meterline.platform.time.TimeBuckets;
import io.meterline.platform.usage.UsageListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage per Account ID: tokens and requests of every event carrying an {@code account_id}
 * dimension, added in the ingestion transaction to 15-minute UTC buckets (the grain of the usage
 * aggregates, so "today" and "this month" read exactly in any time zone), and the latest event
 * time per code. Codes are kept as the events carry them, registered or not, so usage recorded
 * before an Account ID was created, or after it was archived, is still reported.
 *
 * <p>Rows are upserted in (code, bucket) order, so concurrent batches lock them in one order.
 */
@Singleton
public class AccountIdUsageStore implements UsageListener {

    private static final Upsert ACTIVITY = Upsert.into("account_id_activity", "organization_id", "account_code", "last_event_at")
            .greatest("last_event_at").build();
    private static final Upsert USAGE = Upsert.into("account_id_usage", "organization_id", "account_code", "bucket_start", "tokens", "requests")
            .add("tokens", "requests").build();

    private final BudgetMeasure measure;
    private final TransactionOperations<Connection> transactions;

    public AccountIdUsageStore(BudgetMeasure measure, TransactionOperations<Connection> transactions) {
        this.measure = measure;
        this.transactions = transactions;
    }

    /**
     * What an Account ID used.
     *
     * @param tokensToday tokens today in the zone asked for
     * @param tokensThisMonth tokens this calendar month in that zone
     * @param requestsThisMonth calls this month
     * @param lastActivityAt the time of its latest event, null if none
     */
    public record Figures(long tokensToday, long tokensThisMonth, long requestsThisMonth, @Nullable Instant lastActivityAt) {
        static final Figures NONE = new Figures(0, 0, 0, null);
    }

    /** One local day of an Account ID's usage. */
    public record Day(LocalDate date, long tokens, long requests) {
    }

    private record BucketKey(String code, LocalDateTime bucket) implements Comparable<BucketKey> {
        @Override
        public int compareTo(BucketKey other) {
            int byCode = code.compareTo(other.code);
            return byCode != 0 ? byCode : bucket.compareTo(other.bucket);
        }
    }

    @Override
    public void inTransaction(Connection connection, List<RecordedUsage> recorded) throws SQLException {
        TreeMap<BucketKey, long[]> requests = new TreeMap<>();
        Map<BucketKey, BigDecimal> tokens = new HashMap<>();
        TreeMap<String, Instant> latest = new TreeMap<>();
        long organizationId = 0;
        for (RecordedUsage usage : recorded) {
            String code = usage.dimensions().accountId();
            if (code == null) {
                continue;
            }
            organizationId = usage.organizationId();
            BucketKey key = new BucketKey(code, TimeBuckets.toColumn(TimeBuckets.bucketOf(usage.timestamp())));
            requests.computeIfAbsent(key, ignored -> new long[1])[0] += usage.requests();
            tokens.merge(key, tokensOf(usage), BigDecimal::add);
            latest.merge(code, usage.timestamp(), (left, right) -> left.isAfter(right) ? left : right);
        }
        if (requests.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(USAGE.sql(connection))) {
            for (Map.Entry<BucketKey, long[]> entry : requests.entrySet()) {
                statement.setLong(1, organizationId);
                statement.setString(2, entry.getKey().code());
                statement.setObject(3, entry.getKey().bucket());
                statement.setBigDecimal(4, tokens.get(entry.getKey()));
                statement.setLong(5, entry.getValue()[0]);
                statement.addBatch();
            }
            statement.executeBatch();
        }
        try (PreparedStatement statement = connection.prepareStatement(ACTIVITY.sql(connection))) {
            for (Map.Entry<String, Instant> entry : latest.entrySet()) {
                statement.setLong(1, organizationId);
                statement.setString(2, entry.getKey());
                statement.setObject(3, TimeBuckets.toColumn(entry.getValue()));
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private BigDecimal tokensOf(RecordedUsage usage) {
        BigDecimal sum = BigDecimal.ZERO;
        for (StoredLine line : usage.lines()) {
            // Token meters whatever a provider calls them, as the budget engine and dashboards count them.
            if (MeterClass.of(line.meter(), measure.unitOf(usage.provider(), line.meter()).orElse(null)).tokens()) {
                sum = sum.add(line.quantity());
            }
        }
        return sum;
    }

    /** Today's and this month's figures (in the zone) of some codes of one organization, with two queries. */
    public Map<String, Figures> figures(long organizationId, Collection<String> codes, ZoneId zone, Instant now) {
        if (codes.isEmpty()) {
            return Map.of();
        }
        LocalDate today = LocalDate.ofInstant(now, zone);
        Instant dayStart = today.atStartOfDay(zone).toInstant();
        Instant monthStart = today.withDayOfMonth(1).atStartOfDay(zone).toInstant();
        Instant monthEnd = today.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant();
        List<String> distinct = codes.stream().distinct().toList();
        String placeholders = Placeholders.in(distinct.size());
        return transactions.executeRead(status -> {
            Connection connection = status.getConnection();
            Map<String, long[]> sums = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT account_code, SUM(CASE WHEN bucket_start >= ? THEN tokens ELSE 0 END),"
                    + " SUM(tokens), SUM(requests) FROM account_id_usage WHERE organization_id = ? AND account_code IN (" + placeholders + ")"
                    + " AND bucket_start >= ? AND bucket_start < ? GROUP BY account_code")) {
                statement.setObject(1, TimeBuckets.toColumn(dayStart));
                statement.setLong(2, organizationId);
                int index = 3;
                for (String code : distinct) {
                    statement.setString(index++, code);
                }
                statement.setObject(index++, TimeBuckets.toColumn(monthStart));
                statement.setObject(index, TimeBuckets.toColumn(monthEnd));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long[] sum = sums.computeIfAbsent(rows.getString(1).toUpperCase(Locale.ROOT), ignored -> new long[3]);
                        sum[0] += rows.getBigDecimal(2).longValue();
                        sum[1] += rows.getBigDecimal(3).longValue();
                        sum[2] += rows.getLong(4);
                    }
                }
            }
            Map<String, Instant> activity = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT account_code, last_event_at FROM account_id_activity WHERE organization_id = ?"
                    + " AND account_code IN (" + placeholders + ")")) {
                statement.setLong(1, organizationId);
                int index = 2;
                for (String code : distinct) {
                    statement.setString(index++, code);
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        activity.merge(rows.getString(1).toUpperCase(Locale.ROOT), TimeBuckets.fromColumn(rows.getObject(2, LocalDateTime.class)),
                                (left, right) -> left.isAfter(right) ? left : right);
                    }
                }
            }
            Map<String, Figures> result = new HashMap<>();
            for (String code : distinct) {
                String key = code.toUpperCase(Locale.ROOT);
                long[] sum = sums.getOrDefault(key, new long[3]);
                result.put(code, new Figures(sum[0], sum[1], sum[2], activity.get(key)));
            }
            return result;
        });
    }

    /** One Account ID's usage per local day, oldest first, days without usage included as zero. */
    public List<Day> days(long organizationId, String code, LocalDate from, LocalDate to, ZoneId zone) {
        Map<LocalDate, long[]> byDay = new TreeMap<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            byDay.put(day, new long[2]);
        }
        transactions.executeRead(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT bucket_start, tokens, requests FROM account_id_usage"
                    + " WHERE organization_id = ? AND account_code = ? AND bucket_start >= ? AND bucket_start < ?")) {
                statement.setLong(1, organizationId);
                statement.setString(2, code);
                statement.setObject(3, TimeBuckets.toColumn(from.atStartOfDay(zone).toInstant()));
                statement.setObject(4, TimeBuckets.toColumn(to.plusDays(1).atStartOfDay(zone).toInstant()));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long[] sum = byDay.get(LocalDate.ofInstant(TimeBuckets.fromColumn(rows.getObject(1, LocalDateTime.class)), zone));
                        if (sum != null) {
                            sum[0] += rows.getBigDecimal(2).longValue();
                            sum[1] += rows.getLong(3);
                        }
                    }
                }
            }
            return null;
        });
        List<Day> days = new ArrayList<>();
        byDay.forEach((day, sum) -> days.add(new Day(day, sum[0], sum[1])));
        return days;
    }

    /** How many of the organization's Account IDs (any status) have usage this month in the zone. */
    public long activeThisMonth(long organizationId, ZoneId zone, Instant now) {
        LocalDate monthStart = LocalDate.ofInstant(now, zone).withDayOfMonth(1);
        return transactions.executeRead(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT COUNT(DISTINCT a.id) FROM account_id a JOIN account_id_usage u"
                    + " ON u.organization_id = a.organization_id AND u.account_code = a.code WHERE a.organization_id = ? AND u.bucket_start >= ?"
                    + " AND u.bucket_start < ? AND u.requests > 0")) {
                statement.setLong(1, organizationId);
                statement.setObject(2, TimeBuckets.toColumn(monthStart.atStartOfDay(zone).toInstant()));
                statement.setObject(3, TimeBuckets.toColumn(monthStart.plusMonths(1).atStartOfDay(zone).toInstant()));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }
}
