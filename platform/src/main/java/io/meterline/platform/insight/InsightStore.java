package io.meterline.platform.insight;

import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the rollup cannot answer: each model's quantity per meter (cached and uncached input apart),
 * for the suggestions of the current month, from the 15-minute meter aggregates ({@code usage_bucket_meter}):
 * one grouped statement over one month of one organization. Every other insight figure is read through
 * {@link io.meterline.platform.analytics.AnalyticsService}.
 */
@Singleton
class InsightStore {

    private final JdbcOperations jdbc;
    private final PluginRegistry plugins;

    InsightStore(JdbcOperations jdbc, PluginRegistry plugins) {
        this.jdbc = jdbc;
        this.plugins = plugins;
    }

    /** One model's quantity of one meter, and the unit its plugin declares for the meter. */
    record ModelMeter(String provider, String model, String meter, String unit, BigDecimal quantity) {
    }

    /** Each model's meter quantities in {@code [start, end)}. */
    List<ModelMeter> modelMeters(long organizationId, Instant start, Instant end) {
        return jdbc.prepareStatement("SELECT provider, model, meter, SUM(quantity) FROM usage_bucket_meter"
                + " WHERE organization_id = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY provider, model, meter", statement -> {
            statement.setLong(1, organizationId);
            statement.setObject(2, TimeBuckets.toColumn(start));
            statement.setObject(3, TimeBuckets.toColumn(end));
            List<ModelMeter> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(new ModelMeter(result.getString(1), result.getString(2), result.getString(3),
                            plugins.unitOf(result.getString(1), result.getString(3)), result.getBigDecimal(4)));
                }
            }
            return rows;
        });
    }
}
