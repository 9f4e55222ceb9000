package io.meterline.platform.usage;

import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.Upsert;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Comparator;

/**
 * Plain JDBC for the hot path: events are written in multi-row batches and aggregates are upserted
 * once per batch per bucket, in key order so concurrent batches never deadlock.
 */
@Singleton
public class UsageStore {

    static final String EVENT_COLUMNS = "id, organization_id, event_id, content_hash, occurred_at, received_at, provider, model, status, duration_ms,"
            + " requests, api_key_id, account_id, member_key, team, project, department, feature, tool, integration, session_key, mode, tags,"
            + " priced, cost, currency, priced_lines, billing_cost, billing_currency, fx_rate, fx_rate_date";
    private static final Argument<List<StoredLine>> LINES = Argument.listOf(StoredLine.class);
    private static final Upsert BUCKET = Upsert.into("usage_bucket", "organization_id", "bucket_start", "provider", "model",
            "billing_currency", "requests", "error_requests", "unpriced_requests", "billing_cost")
            .add("requests", "error_requests", "unpriced_requests", "billing_cost").build();
    private static final Upsert BUCKET_METER = Upsert.into("usage_bucket_meter", "organization_id", "bucket_start", "provider", "model",
            "meter", "currency", "quantity", "billable_quantity", "amount")
            .add("quantity", "billable_quantity", "amount").build();

    private final JsonMapper json;

    UsageStore(JsonMapper json) {
        this.json = json;
    }

    /** An already stored event, as far as dedupe and its answer need it. */
    record Existing(long id, String contentHash, @Nullable BigDecimal cost, @Nullable String currency, @Nullable BigDecimal billingCost,
                    @Nullable String billingCurrency) {
    }

    Map<String, Existing> existing(Connection connection, long organizationId, Collection<String> eventIds) throws SQLException {
        Map<String, Existing> found = new HashMap<>();
        List<String> ids = List.copyOf(eventIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String sql = "SELECT id, event_id, content_hash, cost, currency, billing_cost, billing_currency FROM usage_event WHERE organization_id = ? AND event_id IN ("
                    + Placeholders.in(chunk.size()) + ")";
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, organizationId);
                Placeholders.bind(statement, 2, chunk);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        found.put(rows.getString(2), new Existing(rows.getLong(1), rows.getString(3), rows.getBigDecimal(4), rows.getString(5),
                                rows.getBigDecimal(6), rows.getString(7)));
                    }
                }
            }
        }
        return found;
    }

    void insertEvents(Connection connection, long organizationId, @Nullable Long apiKeyId, List<PricedEvent> events, Instant receivedAt) throws SQLException {
        String sql = "INSERT INTO usage_event (organization_id, event_id, content_hash, occurred_at, received_at, provider, model, status, duration_ms,"
                + " requests, api_key_id, account_id, member_key, team, project, department, feature, tool, integration, session_key, mode, tags,"
                + " priced, cost, currency, priced_lines, billing_cost, billing_currency, fx_rate, fx_rate_date)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        LocalDateTime received = TimeBuckets.toColumn(receivedAt);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (PricedEvent event : events) {
                UsageEventDraft draft = event.draft();
                int column = 1;
                statement.setLong(column++, organizationId);
                statement.setString(column++, draft.eventId());
                statement.setString(column++, event.contentHash());
                statement.setObject(column++, TimeBuckets.toColumn(draft.timestamp()));
                statement.setObject(column++, received);
                statement.setString(column++, draft.provider());
                statement.setString(column++, draft.model());
                statement.setString(column++, draft.status());
                setLong(statement, column++, draft.durationMs());
                statement.setInt(column++, draft.requests());
                setLong(statement, column++, apiKeyId);
                for (String value : draft.dimensions().values()) {
                    statement.setString(column++, value);
                }
                statement.setString(column++, draft.dimensions().tagsJson());
                statement.setBoolean(column++, event.priced());
                statement.setBigDecimal(column++, event.cost());
                statement.setString(column++, event.currency());
                statement.setString(column++, writeLines(event.lines()));
                Conversion billing = event.billing();
                statement.setBigDecimal(column++, billing == null ? null : billing.amount());
                statement.setString(column++, billing == null ? null : billing.currencyCode());
                statement.setBigDecimal(column++, billing == null ? null : billing.rate());
                if (billing == null) {
                    statement.setNull(column, Types.DATE);
                }
                else {
                    statement.setObject(column, billing.rateDate());
                }
                statement.addBatch();
            }
            // A JDBC batch, not a multi-row statement: MariaDB's driver sends it with the binary bulk
            // protocol, which the benchmark measured cheaper for the server than one long text INSERT.
            statement.executeBatch();
        }
        List<String> unpriced = events.stream().filter(event -> !event.priced()).map(event -> event.draft().eventId()).toList();
        if (!unpriced.isEmpty()) {
            markUnpriced(connection, organizationId, unpriced);
        }
        List<String> unconverted = events.stream().filter(PricedEvent::unconverted).map(event -> event.draft().eventId()).toList();
        if (!unconverted.isEmpty()) {
            markUnconverted(connection, organizationId, unconverted);
        }
    }

    /**
     * Holds priced events no exchange rate covers yet in a table of their own (like usage_unpriced),
     * so converting them later and counting them never scans usage_event.
     */
    private static void markUnconverted(Connection connection, long organizationId, List<String> eventIds) throws SQLException {
        String sql = "INSERT INTO usage_unconverted (usage_event_id, organization_id, occurred_at, requests, cost, currency)"
                + " SELECT id, organization_id, occurred_at, requests, cost, currency FROM usage_event"
                + " WHERE organization_id = ? AND event_id IN (" + Placeholders.in(eventIds.size()) + ")";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, organizationId);
            Placeholders.bind(statement, 2, eventIds);
            statement.executeUpdate();
        }
    }

    /** Holds one event that got its price later but has no rate into its billing currency yet. */
    static void markUnconverted(Connection connection, long eventRowId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO usage_unconverted (usage_event_id, organization_id, occurred_at,"
                + " requests, cost, currency) SELECT id, organization_id, occurred_at, requests, cost, currency FROM usage_event WHERE id = ?")) {
            statement.setLong(1, eventRowId);
            statement.executeUpdate();
        }
    }



    /**
     * Remembers unpriced events in a table of their own, so the hot path keeps no index for the
     * rare repricing, and repricing reads only what is waiting for a price.
     */
    private static void markUnpriced(Connection connection, long organizationId, List<String> eventIds) throws SQLException {
        String sql = "INSERT INTO usage_unpriced (usage_event_id, provider, model, occurred_at) SELECT id, provider, model, occurred_at FROM usage_event"
                + " WHERE organization_id = ? AND event_id IN (" + Placeholders.in(eventIds.size()) + ")";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, organizationId);
            Placeholders.bind(statement, 2, eventIds);
            statement.executeUpdate();
        }
    }

    /**
     * Changes of one bucket's call counts and of its cost in one billing currency. An event converted later adds its
     * billing cost to its currency's row and leaves its counts in the row it was counted in: readers add rows up.
     */
    record CallDelta(long requests, long errorRequests, long unpricedRequests, BigDecimal billingCost) {
        CallDelta plus(CallDelta other) {
            return new CallDelta(requests + other.requests, errorRequests + other.errorRequests, unpricedRequests + other.unpricedRequests,
                    billingCost.add(other.billingCost));
        }
    }

    /** Changes of one bucket's meter totals. */
    record MeterDelta(BigDecimal quantity, BigDecimal billableQuantity, BigDecimal amount) {
        MeterDelta plus(MeterDelta other) {
            return new MeterDelta(quantity.add(other.quantity), billableQuantity.add(other.billableQuantity), amount.add(other.amount));
        }
    }

    /** A usage_bucket row: {@code billingCurrency} is '' for events without a billing figure (unpriced or unconverted). */
    record CallKey(LocalDateTime bucket, String provider, String model, String billingCurrency) {
        static final Comparator<CallKey> ORDER = Comparator.comparing(CallKey::bucket).thenComparing(CallKey::provider).thenComparing(CallKey::model)
                .thenComparing(CallKey::billingCurrency);
    }

    record MeterKey(LocalDateTime bucket, String provider, String model, String meter, String currency) {
        static final Comparator<MeterKey> ORDER = Comparator.comparing(MeterKey::bucket).thenComparing(MeterKey::provider)
                .thenComparing(MeterKey::model).thenComparing(MeterKey::meter).thenComparing(MeterKey::currency);
    }

    /** Aggregate changes collected over a batch in hash maps, applied in key order. */
    static final class Deltas {
        final Map<CallKey, CallDelta> calls = new HashMap<>();
        final Map<MeterKey, MeterDelta> meters = new HashMap<>();

        /** Adds (sign 1) or removes (sign -1) an event's contribution; {@code billing} is its billing figure, null without one. */
        void add(UsageEventDraft draft, List<StoredLine> lines, boolean priced, @Nullable Conversion billing, int sign) {
            LocalDateTime bucket = TimeBuckets.toColumn(TimeBuckets.bucketOf(draft.timestamp()));
            BigDecimal signum = BigDecimal.valueOf(sign);
            calls.merge(new CallKey(bucket, draft.provider(), draft.model(), billing == null ? "" : billing.currencyCode()),
                    new CallDelta(sign * (long) draft.requests(), draft.isError() ? sign * (long) draft.requests() : 0, priced ? 0 : sign * (long) draft.requests(),
                            billing == null ? BigDecimal.ZERO : billing.amount().multiply(signum)), CallDelta::plus);
            for (StoredLine line : lines) {
                meters.merge(new MeterKey(bucket, draft.provider(), draft.model(), line.meter(), line.priced() ? line.currency() : ""),
                        new MeterDelta(line.quantity().multiply(signum), line.billableQuantity().multiply(signum),
                                line.priced() ? line.amount().multiply(signum) : BigDecimal.ZERO), MeterDelta::plus);
            }
        }

        /** Adds the billing figure a held event got later (its counts are in already). */
        void addConverted(Instant timestamp, String provider, String model, Conversion billing) {
            calls.merge(new CallKey(TimeBuckets.toColumn(TimeBuckets.bucketOf(timestamp)), provider, model, billing.currencyCode()),
                    new CallDelta(0, 0, 0, billing.amount()), CallDelta::plus);
        }
    }

    void apply(Connection connection, long organizationId, Deltas deltas) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(BUCKET.sql(connection))) {
            for (Map.Entry<CallKey, CallDelta> entry : sorted(deltas.calls, CallKey.ORDER)) {
                statement.setLong(1, organizationId);
                statement.setObject(2, entry.getKey().bucket());
                statement.setString(3, entry.getKey().provider());
                statement.setString(4, entry.getKey().model());
                statement.setString(5, entry.getKey().billingCurrency());
                statement.setLong(6, entry.getValue().requests());
                statement.setLong(7, entry.getValue().errorRequests());
                statement.setLong(8, entry.getValue().unpricedRequests());
                statement.setBigDecimal(9, entry.getValue().billingCost());
                statement.addBatch();
            }
            statement.executeBatch();
        }
        if (deltas.meters.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(BUCKET_METER.sql(connection))) {
            for (Map.Entry<MeterKey, MeterDelta> entry : sorted(deltas.meters, MeterKey.ORDER)) {
                statement.setLong(1, organizationId);
                statement.setObject(2, entry.getKey().bucket());
                statement.setString(3, entry.getKey().provider());
                statement.setString(4, entry.getKey().model());
                statement.setString(5, entry.getKey().meter());
                statement.setString(6, entry.getKey().currency());
                statement.setBigDecimal(7, entry.getValue().quantity());
                statement.setBigDecimal(8, entry.getValue().billableQuantity());
                statement.setBigDecimal(9, entry.getValue().amount());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Rows in one global order, so two transactions never lock the same aggregate rows in opposite orders. */
    private static <K, V> List<Map.Entry<K, V>> sorted(Map<K, V> map, Comparator<K> order) {
        List<Map.Entry<K, V>> entries = new ArrayList<>(map.entrySet());
        entries.sort(Map.Entry.comparingByKey(order));
        return entries;
    }

    String writeLines(List<StoredLine> lines) {
        try {
            return json.writeValueAsString(lines);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<StoredLine> readLines(String text) {
        try {
            return json.readValue(text, LINES);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setLong(PreparedStatement statement, int column, @Nullable Long value) throws SQLException {
        if (value == null) {
            statement.setNull(column, Types.BIGINT);
        }
        else {
            statement.setLong(column, value);
        }
    }
}
