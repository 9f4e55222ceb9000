package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Control characters (every C0 code, tab and line breaks included, and DEL) in an event's id and
 * text fields are refused, per event, on {@code POST /v1/usage} and {@code usageRecord}; the whole
 * batch is refused and nothing is written.
 */
class UsageControlCharactersIT extends ServerTest {

    static final String RECORD = "mutation($input: UsageRecordInput!) { usageRecord(input: $input) { results { eventId outcome }"
            + " errors { index field code } userErrors { field code } } }";
    /** NUL, every other C0 code worth naming (SOH, tab, line feed, carriage return, escape, unit separator) and DEL. */
    static final List<String> CONTROLS = List.of("\u0000", "\u0001", "\t", "\n", "\r", "\u000b", "\u001b", "\u001f", "\u007f");

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;

    @BeforeAll
    void tenant() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "control-characters", "UTC");
    }

    long storedEvents() {
        return rows.count("SELECT COUNT(*) FROM usage_event WHERE organization_id = ?", GlobalId.require(tenant.organizationId(), "Organization"));
    }

    static Map<String, Object> event(String id, Object... extra) {
        Map<String, Object> event = new LinkedHashMap<>(Map.of("id", id, "timestamp", Instant.now().minusSeconds(5).toString(), "provider", "openai",
                "model", "gpt-4o", "meters", Map.of("input_tokens", 10)));
        for (int i = 0; i < extra.length; i += 2) {
            event.put((String) extra[i], extra[i + 1]);
        }
        return event;
    }

    TestApi.Response post(Map<String, Object>... events) {
        return api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(events))));
    }

    @Test
    void aControlCharacterInAnEventIdRefusesTheWholeBatch() {
        for (String control : CONTROLS) {
            for (String id : List.of("req" + control + "1", control + "req", "req" + control)) {
                TestApi.Response response = post(event("valid-" + CONTROLS.indexOf(control)), event(id));
                assertThat(response.status()).as(escaped(id) + ": " + response.body()).isEqualTo(400);
                assertThat(response.codes("errors")).as(escaped(id)).containsExactly("INVALID_CHARACTERS");
                assertThat(response.pluck("errors", "field")).containsExactly("id");
                assertThat(response.pluck("errors", "index")).containsExactly(1);
            }
        }
        assertThat(storedEvents()).isZero();
    }

    @Test
    void aControlCharacterInADimensionValueModelOrStatusRefusesTheBatch() {
        for (String control : CONTROLS) {
            for (String dimension : List.of("account_id", "member", "team", "project", "department", "feature", "tool", "integration", "session", "mode")) {
                TestApi.Response response = post(event("dimension-ok"), event("dimension-bad", "dimensions", Map.of(dimension, "sup" + control + "port")));
                assertThat(response.status()).as(dimension + " " + escaped(control) + ": " + response.body()).isEqualTo(400);
                assertThat(response.codes("errors")).containsExactly("INVALID_CHARACTERS");
                assertThat(response.pluck("errors", "field")).containsExactly("dimensions." + dimension);
            }
            TestApi.Response model = post(event("model-bad", "model", "gpt-4o" + control));
            assertThat(model.codes("errors")).as(model.body()).containsExactly("INVALID_CHARACTERS");
            assertThat(model.pluck("errors", "field")).containsExactly("model");
            TestApi.Response status = post(event("status-bad", "status", "ok" + control));
            assertThat(status.codes("errors")).as(status.body()).containsExactly("INVALID_CHARACTERS");
        }
        assertThat(storedEvents()).isZero();
    }

    @Test
    void usageRecordRefusesControlCharactersWithAUserError() {
        for (String control : CONTROLS) {
            TestApi.Response inId = api.graphql(tenant.adminToken(), RECORD, Map.of("input", Map.of("events", List.of(
                    Map.of("id", "gql" + control, "timestamp", Instant.now().minusSeconds(5).toString(), "provider", "openai", "model", "gpt-4o",
                            "meters", Map.of("input_tokens", 1))))));
            assertThat(inId.at("data.usageRecord.results")).as(inId.body()).isEqualTo(List.of());
            assertThat(inId.at("data.usageRecord.errors.0.code")).isEqualTo("INVALID_CHARACTERS");
            assertThat(inId.codes("data.usageRecord.userErrors")).containsExactly("INVALID");
            assertThat(inId.at("data.usageRecord.userErrors.0.field")).isEqualTo(List.of("input", "events", "0", "id"));

            TestApi.Response inDimension = api.graphql(tenant.adminToken(), RECORD, Map.of("input", Map.of("events", List.of(
                    Map.of("id", "gql-ok", "timestamp", Instant.now().minusSeconds(5).toString(), "provider", "openai", "model", "gpt-4o",
                            "meters", Map.of("input_tokens", 1), "dimensions", Map.of("team", "a" + control + "b"))))));
            assertThat(inDimension.at("data.usageRecord.errors.0.code")).as(inDimension.body()).isEqualTo("INVALID_CHARACTERS");
            assertThat(inDimension.at("data.usageRecord.userErrors.0.field")).isEqualTo(List.of("input", "events", "0", "dimensions.team"));
        }
        assertThat(storedEvents()).isZero();
    }

    @Test
    void printableUnicodeStaysAllowedInDimensionValues() {
        // Another tenant: the refusing tests count this one's events.
        Fixtures.Tenant other = Fixtures.tenant(api, "control-characters-unicode", "UTC");
        TestApi.Response response = api.usage(other.apiKey(), api.write(Map.of("events", List.of(
                event("unicode-1", "dimensions", Map.of("team", "Vertrieb München", "member", "ana@ex.com"))))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(rows.value("SELECT team FROM usage_event WHERE organization_id = ? AND event_id = 'unicode-1'",
                GlobalId.require(other.organizationId(), "Organization"))).isEqualTo("Vertrieb München");
    }

    static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.toString();
    }
}
