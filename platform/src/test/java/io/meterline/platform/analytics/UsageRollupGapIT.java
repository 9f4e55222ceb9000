package io.meterline.platform.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ids the roll passed but never saw (a rolled-back ingestion took them) are kept as gaps and looked up again, and deleted
 * once older than {@link UsageRoller#GAP_PATIENCE} by the injected clock: a crashed transaction leaves no row forever.
 */
class UsageRollupGapIT extends ServerTest {

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    UsageRoller roller;

    @Inject
    MutableClock clock;

    Rows rows;
    Fixtures.Tenant tenant;
    Instant start;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    @BeforeAll
    void tenant() {
        rows = new Rows(transactions);
        start = Instant.now();
        clock.set(start);
        tenant = Fixtures.tenant(api, "rollup-gaps", "UTC");
    }

    void record(String id) {
        TestApi.Response response = api.usage(tenant.apiKey(), "{\"events\":[{\"id\":\"" + id + "\",\"timestamp\":\"" + clock.instant().minusSeconds(1)
                + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":10}}]}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    /**
     * Takes a usage_event id the way a crashed or rolled-back ingestion does: a copy of the latest event is inserted under a
     * new event id, and the transaction rolls back, so the id is used up and never committed. Answers the id taken.
     */
    long takeAnIdAndRollBack() {
        return transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            try (PreparedStatement select = connection.prepareStatement("SELECT * FROM usage_event ORDER BY id DESC LIMIT 1");
                 ResultSet row = select.executeQuery()) {
                row.next();
                ResultSetMetaData columns = row.getMetaData();
                List<String> names = new ArrayList<>();
                List<Object> values = new ArrayList<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    String name = columns.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
                    if (!name.equals("id")) {
                        names.add(name);
                        values.add(name.equals("event_id") ? "rolled-back-" + System.nanoTime() : row.getObject(i));
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO usage_event (" + String.join(", ", names) + ") VALUES ("
                        + String.join(", ", java.util.Collections.nCopies(names.size(), "?")) + ")", PreparedStatement.RETURN_GENERATED_KEYS)) {
                    for (int i = 0; i < values.size(); i++) {
                        insert.setObject(i + 1, values.get(i));
                    }
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        long id = keys.getLong(1);
                        status.setRollbackOnly();
                        return id;
                    }
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    List<Long> gapStarts() {
        List<Long> starts = new ArrayList<>();
        transactions.executeRead(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT first_id FROM usage_rollup_gap ORDER BY first_id");
                 ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    starts.add(result.getLong(1));
                }
                return null;
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return starts;
    }

    @Test
    void gapsOlderThanThePatienceAreDeletedAndYoungerOnesKept() {
        record("gap-before");
        roller.rollAll();
        assertThat(gapStarts()).isEmpty();

        long older = takeAnIdAndRollBack();
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE id = ?", older)).as("rolled back").isZero();
        record("gap-after-older");
        roller.rollAll();
        assertThat(gapStarts()).containsExactly(older);

        // Nine minutes on, a second crash leaves a younger gap; the older one is still waited for.
        clock.set(start.plus(Duration.ofMinutes(9)));
        long younger = takeAnIdAndRollBack();
        record("gap-after-younger");
        roller.rollAll();
        assertThat(gapStarts()).containsExactly(older, younger);

        // Just before the older gap's patience ends it stays; just after, its row is deleted and the younger one kept.
        clock.set(start.plus(UsageRoller.GAP_PATIENCE).minusSeconds(1));
        roller.rollAll();
        assertThat(gapStarts()).containsExactly(older, younger);
        clock.set(start.plus(UsageRoller.GAP_PATIENCE).plusSeconds(1));
        roller.rollAll();
        assertThat(gapStarts()).containsExactly(younger);
        assertThat(rows.count("SELECT COUNT(*) FROM usage_rollup_gap WHERE first_id <= ? AND last_id >= ?", older, older)).isZero();

        // The younger one goes at its own horizon, with no new events to roll.
        clock.set(start.plus(Duration.ofMinutes(9)).plus(UsageRoller.GAP_PATIENCE).plusSeconds(1));
        roller.rollAll();
        assertThat(gapStarts()).isEmpty();
        // Every committed event is rolled up exactly once all the same.
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE event_id LIKE 'gap-%'")).isEqualTo(3);
    }
}
