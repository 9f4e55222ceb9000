package io.meterline.platform.admin;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Who the customers are, for views across all of them; their figures come from {@link io.meterline.platform.analytics.AnalyticsService}. */
@Singleton
class AdminStore {

    private final JdbcOperations jdbc;

    AdminStore(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** Every organization's id, by time zone: one statement. */
    Map<String, List<Long>> organizationsByZone() {
        return jdbc.prepareStatement("SELECT id, time_zone FROM organization ORDER BY id", statement -> {
            Map<String, List<Long>> zones = new TreeMap<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    zones.computeIfAbsent(rows.getString(2), zone -> new ArrayList<>()).add(rows.getLong(1));
                }
            }
            return zones;
        });
    }
}
