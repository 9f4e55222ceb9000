package io.meterline.platform.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V29 on the test database (MariaDB or H2): the per-batch usage entries of V7 become one entry per
 * (organization, UTC day, account, service, currency), with their sums, the first and last event ids,
 * the latest time, the key later usage of the day upserts into and the description the application
 * writes; other entries are left alone and the credits' sum does not move.
 */
class LedgerUsagePerDayMigrationIT {

    private static final String INSERT = "INSERT INTO ledger_entry (organization_id, kind, account_kind, amount, currency, service, tokens, images, description,"
            + " event_count, usage_event_id, last_usage_event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)";

    @Test
    void perBatchUsageEntriesAreMergedPerDay() throws SQLException {
        Map<String, String> properties = TestDatabase.properties();
        String url = properties.get("datasources.default.url");
        String user = properties.get("datasources.default.username");
        String password = properties.get("datasources.default.password");
        Flyway before = Flyway.configure().dataSource(url, user, password).cleanDisabled(false).target("27").load();
        before.clean();
        before.migrate();
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            long organization = organization(connection);
            entry(connection, organization, "PURCHASE", "CREDITS", "10", "USD", null, 0, 0, null, null, "2026-11-15T12:00:00");
            entry(connection, organization, "USAGE", "CREDITS", "-1.5", "USD", "ai_data", 100, 2, "e1", "e2", "2026-11-16T09:00:00");
            entry(connection, organization, "USAGE", "PLAN_TOKENS", "-300", null, "ai_data", 300, 3, "e1", "e3", "2026-11-16T18:00:00");
            entry(connection, organization, "USAGE", "CREDITS", "-0.5", "USD", "ai_data", 50, 1, "e3", "e3", "2026-11-16T18:00:00");
            entry(connection, organization, "USAGE", "CREDITS", "-1", "EUR", "ai_data", 10, 1, "e5", "e5", "2026-11-16T10:00:00");
            entry(connection, organization, "USAGE", "CREDITS", "-2", "USD", "ai_data", 10, 1, "e4", "e4", "2026-11-17T01:00:00");
            BigDecimal credits = sum(connection, organization);

            Flyway.configure().dataSource(url, user, password).load().migrate();

            assertThat(rows(connection, organization)).containsExactly(
                    "PURCHASE CREDITS 10 USD null 0 0 null..null null null 2026-11-15T12:00",
                    "USAGE CREDITS -2 USD ai_data 150 3 e1..e3 2026-11-16 2026-11-16/CREDITS/ai_data/USD 2026-11-16T18:00 ai_data usage on 2026-11-16",
                    "USAGE PLAN_TOKENS -300 null ai_data 300 3 e1..e3 2026-11-16 2026-11-16/PLAN_TOKENS/ai_data/ 2026-11-16T18:00 ai_data usage on 2026-11-16, from plan tokens",
                    "USAGE CREDITS -1 EUR ai_data 10 1 e5..e5 2026-11-16 2026-11-16/CREDITS/ai_data/EUR 2026-11-16T10:00 ai_data usage on 2026-11-16",
                    "USAGE CREDITS -2 USD ai_data 10 1 e4..e4 2026-11-17 2026-11-17/CREDITS/ai_data/USD 2026-11-17T01:00 ai_data usage on 2026-11-17");
            assertThat(sum(connection, organization)).isEqualByComparingTo(credits);
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM ledger_uncharged_line");
                 ResultSet result = statement.executeQuery()) {
                assertThat(result.next()).isTrue();
            }
        }
    }

    private static long organization(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO organization (name, slug, billing_currency, time_zone, unpriced_usage_policy,"
                + " cost_factor, discount_percent, created_at) VALUES ('Migrated', 'migrated', 'USD', 'UTC', 'ACCEPT', 1, 0, ?)", PreparedStatement.RETURN_GENERATED_KEYS)) {
            statement.setObject(1, LocalDateTime.parse("2026-11-01T00:00:00"));
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static void entry(Connection connection, long organization, String kind, String account, String amount, String currency, String service, long tokens,
                              long events, String first, String last, String at) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            statement.setLong(1, organization);
            statement.setString(2, kind);
            statement.setString(3, account);
            statement.setBigDecimal(4, new BigDecimal(amount));
            statement.setString(5, currency);
            statement.setString(6, service);
            statement.setLong(7, tokens);
            statement.setString(8, kind + " posted " + at);
            statement.setLong(9, events);
            statement.setString(10, first);
            statement.setString(11, last);
            statement.setObject(12, LocalDateTime.parse(at));
            statement.executeUpdate();
        }
    }

    private static BigDecimal sum(Connection connection, long organization) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT SUM(amount) FROM ledger_entry WHERE organization_id = ? AND account_kind = 'CREDITS'"
                + " AND currency = 'USD'")) {
            statement.setLong(1, organization);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getBigDecimal(1);
            }
        }
    }

    private static List<String> rows(Connection connection, long organization) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT kind, account_kind, amount, currency, service, tokens, event_count, usage_event_id,"
                + " last_usage_event_id, usage_day, usage_key, created_at, description FROM ledger_entry WHERE organization_id = ? ORDER BY id")) {
            statement.setLong(1, organization);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    LocalDate day = result.getObject(10, LocalDate.class);
                    String text = result.getString(1) + " " + result.getString(2) + " " + result.getBigDecimal(3).stripTrailingZeros().toPlainString() + " "
                            + result.getString(4) + " " + result.getString(5) + " " + result.getLong(6) + " " + result.getLong(7) + " " + result.getString(8)
                            + ".." + result.getString(9) + " " + day + " " + result.getString(11) + " " + result.getObject(12, LocalDateTime.class);
                    rows.add(result.getString(1).equals("USAGE") ? text + " " + result.getString(13) : text);
                }
            }
        }
        return rows;
    }
}
