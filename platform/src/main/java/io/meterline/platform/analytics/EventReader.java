package io.meterline.platform.analytics;

import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.usage.StoredLine;
import io.meterline.platform.time.TimeBuckets;
import io.meterline.platform.usage.UsageStore;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@code usage_event} row as analytics counts it: its measures, with tokens classed by
 * {@link MeterClass}, and its value of every {@link Dimension}. The one reading shared by the roll-up
 * and by queries that answer a stretch no rollup grain covers from the events themselves.
 */
@Singleton
public class EventReader {

    /** The columns {@link #read} needs. */
    public static final String COLUMNS = "id, organization_id, occurred_at, provider, model, status, duration_ms, requests, api_key_id, account_id,"
            + " member_key, team, project, department, feature, tool, integration, session_key, mode, cost, currency, billing_cost, billing_currency, priced_lines";

    private final UsageStore usage;
    private final PluginRegistry plugins;

    EventReader(UsageStore usage, PluginRegistry plugins) {
        this.usage = usage;
        this.plugins = plugins;
    }

    /**
     * One event.
     *
     * @param currency the cost's currency, '' when unpriced
     * @param billingCurrency the currency of the cost in the billing currency, '' when unpriced or unconverted
     * @param session the chat or session key, null when none
     */
    public record Event(long id, long organizationId, Instant occurredAt, String currency, String billingCurrency, Totals totals, Map<Dimension, String> values,
                 String session) {
    }

    public Event read(ResultSet row) throws SQLException {
        String provider = row.getString("provider");
        String currency = Objects.requireNonNullElse(row.getString("currency"), "");
        Totals totals = new Totals();
        totals.requests = row.getInt("requests");
        totals.errorRequests = "ok".equals(row.getString("status")) ? 0 : totals.requests;
        totals.durationMs = row.getLong("duration_ms");
        BigDecimal cost = row.getBigDecimal("cost");
        if (cost != null) {
            totals.addCost(currency, cost);
        }
        String billingCurrency = Objects.requireNonNullElse(row.getString("billing_currency"), "");
        BigDecimal billingCost = row.getBigDecimal("billing_cost");
        if (billingCost != null) {
            totals.addBillingCost(billingCurrency, billingCost);
        }
        else if (cost != null) {
            totals.unconvertedRequests = totals.requests;
        }
        Map<String, String> units = plugins.units(provider);
        for (StoredLine line : usage.readLines(row.getString("priced_lines"))) {
            totals.add(MeterClass.of(line.meter(), units.get(line.meter())), line.quantity());
        }
        long apiKeyId = row.getLong("api_key_id");
        String apiKey = row.wasNull() ? "" : Long.toString(apiKeyId);
        Map<Dimension, String> values = new EnumMap<>(Dimension.class);
        values.put(Dimension.ALL, "");
        values.put(Dimension.PROVIDER, provider);
        values.put(Dimension.MODEL, provider + "/" + row.getString("model"));
        values.put(Dimension.API_KEY, apiKey);
        values.put(Dimension.ACCOUNT_ID, text(row, "account_id"));
        values.put(Dimension.MEMBER, text(row, "member_key"));
        values.put(Dimension.TEAM, text(row, "team"));
        values.put(Dimension.PROJECT, text(row, "project"));
        values.put(Dimension.DEPARTMENT, text(row, "department"));
        values.put(Dimension.FEATURE, text(row, "feature"));
        values.put(Dimension.TOOL, text(row, "tool"));
        values.put(Dimension.INTEGRATION, text(row, "integration"));
        values.put(Dimension.MODE, text(row, "mode"));
        values.put(Dimension.ALLOCATION, Dimension.allocationKey(values.get(Dimension.ACCOUNT_ID), values.get(Dimension.PROJECT), values.get(Dimension.TEAM),
                values.get(Dimension.DEPARTMENT)));
        return new Event(row.getLong("id"), row.getLong("organization_id"), TimeBuckets.fromColumn(row.getTimestamp("occurred_at").toLocalDateTime()),
                currency, billingCurrency, totals, values, row.getString("session_key"));
    }

    private static String text(ResultSet row, String column) throws SQLException {
        return Objects.requireNonNullElse(row.getString(column), "");
    }
}
