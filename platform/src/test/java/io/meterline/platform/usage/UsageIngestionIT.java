package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/usage} and {@code usageRecord}: exactly-once recording, whole-batch rejection, typed errors. */
class UsageIngestionIT extends ServerTest {

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;

    @BeforeAll
    void tenant() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "ingest", "UTC");
    }

    static Map<String, Object> event(String id, String provider, String model, Map<String, Object> meters) {
        Map<String, Object> event = new HashMap<>();
        event.put("id", id);
        event.put("timestamp", "2026-03-10T12:00:00Z");
        event.put("provider", provider);
        event.put("model", model);
        event.put("meters", meters);
        return event;
    }

    private TestApi.Response send(Object... events) {
        return api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(events))));
    }

    private long storedEvents() {
        return rows.count("SELECT COUNT(*) FROM usage_event");
    }

    @Test
    void acceptsPricesAndNeverCountsTwice() {
        Map<String, Object> gpt4 = event("once-1", "openai", "gpt-4", Map.of("input_tokens", 1000, "output_tokens", 500));
        TestApi.Response first = send(gpt4);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.at("results.0.outcome")).isEqualTo("ACCEPTED");
        assertThat(first.at("results.0.cost")).isEqualTo("0.060000000");
        assertThat(first.at("results.0.currency")).isEqualTo("USD");

        TestApi.Response again = send(gpt4, event("once-2", "images", "dall-e-3", Map.of("images", 3)));
        assertThat(again.at("results.0.outcome")).isEqualTo("DUPLICATE");
        assertThat(again.at("results.0.cost")).isEqualTo("0.060000000");
        assertThat(again.at("results.1.outcome")).isEqualTo("ACCEPTED");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE event_id IN ('once-1', 'once-2')")).isEqualTo(2);
        assertThat(rows.count("SELECT SUM(requests) FROM usage_bucket b JOIN organization o ON o.id = b.organization_id WHERE o.slug = 'ingest' AND b.model = 'gpt-4'"))
                .isEqualTo(rows.count("SELECT COUNT(*) FROM usage_event WHERE model = 'gpt-4'"));
    }

    @Test
    void sameIdWithOtherContentIsAConflictAndStoresNothing() {
        send(event("conflict-1", "openai", "gpt-4", Map.of("input_tokens", 10)));
        long before = storedEvents();
        TestApi.Response conflict = send(event("conflict-new", "openai", "gpt-4", Map.of("input_tokens", 5)),
                event("conflict-1", "openai", "gpt-4", Map.of("input_tokens", 11)));
        assertThat(conflict.status()).isEqualTo(400);
        assertThat(conflict.at("errors.0.index")).isEqualTo(1);
        assertThat(conflict.at("errors.0.code")).isEqualTo("CONFLICT");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void everyKindOfBadEventIsRejectedWithItsIndexFieldAndCode() {
        long before = storedEvents();
        Map<String, Object> future = event("bad-future", "openai", "gpt-4", Map.of("input_tokens", 1));
        future.put("timestamp", Instant.now().plus(1, ChronoUnit.HOURS).toString());
        Map<String, Object> malformedTime = event("bad-time", "openai", "gpt-4", Map.of("input_tokens", 1));
        malformedTime.put("timestamp", "yesterday");
        Map<String, Object> noId = event(null, "openai", "gpt-4", Map.of("input_tokens", 1));
        noId.remove("id");
        TestApi.Response response = send(
                event("good", "openai", "gpt-4", Map.of("input_tokens", 1)),
                event("bad-provider", "acme-ai", "x", Map.of("input_tokens", 1)),
                event("bad-meter", "openai", "gpt-4", Map.of("widgets", 1)),
                event("bad-negative", "openai", "gpt-4", Map.of("input_tokens", -1)),
                event("bad-fraction", "openai", "gpt-4", Map.of("input_tokens", new BigDecimal("1.5"))),
                event("bad-nan", "openai", "gpt-4", Map.of("input_tokens", "NaN")),
                event("bad-overflow", "openai", "gpt-4", Map.of("input_tokens", new BigDecimal("1e30"))),
                noId, malformedTime, future);
        assertThat(response.status()).isEqualTo(400);
        List<String> problems = new ArrayList<>();
        for (Object error : (List<?>) response.at("errors")) {
            Map<?, ?> map = (Map<?, ?>) error;
            problems.add(map.get("index") + ":" + map.get("field") + ":" + map.get("code"));
        }
        assertThat(problems).containsExactlyInAnyOrder(
                "3:meters.input_tokens:NEGATIVE_QUANTITY",
                "5:meters.input_tokens:NOT_A_NUMBER",
                "6:meters.input_tokens:OVERFLOW",
                "7:id:MISSING",
                "8:timestamp:INVALID_TIMESTAMP",
                "9:timestamp:TIMESTAMP_IN_FUTURE");
        assertThat(storedEvents()).isEqualTo(before);

        // Provider-level problems are found once the fields are well formed.
        TestApi.Response plugins = send(
                event("good", "openai", "gpt-4", Map.of("input_tokens", 1)),
                event("bad-provider", "acme-ai", "x", Map.of("input_tokens", 1)),
                event("bad-meter", "openai", "gpt-4", Map.of("widgets", 1)),
                event("bad-fraction", "openai", "gpt-4", Map.of("input_tokens", new BigDecimal("1.5"))));
        List<String> pluginProblems = new ArrayList<>();
        for (Object error : (List<?>) plugins.at("errors")) {
            Map<?, ?> map = (Map<?, ?>) error;
            pluginProblems.add(map.get("index") + ":" + map.get("field") + ":" + map.get("code"));
        }
        assertThat(pluginProblems).containsExactlyInAnyOrder("1:provider:UNKNOWN_PROVIDER", "2:meters.widgets:UNKNOWN_METER", "3:meters.input_tokens:NOT_INTEGRAL");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void badBodiesAndKeysAreRefused() {
        long before = storedEvents();
        assertThat(api.usage(tenant.apiKey(), "{not json").at("errors.0.code")).isEqualTo("INVALID_JSON");
        assertThat(api.usage(tenant.apiKey(), "{\"events\": 5}").at("errors.0.code")).isEqualTo("INVALID_BODY");
        assertThat(api.usage(tenant.apiKey(), "{\"events\": []}").at("errors.0.code")).isEqualTo("EMPTY_BATCH");
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(event("many-" + i, "images", "dall-e-3", Map.of("images", 1)));
        }
        TestApi.Response large = api.usage(tenant.apiKey(), api.write(Map.of("events", tooMany)));
        assertThat(large.status()).isEqualTo(400);
        assertThat(large.at("errors.0.code")).isEqualTo("BATCH_TOO_LARGE");
        String one = api.write(Map.of("events", List.of(event("key-check", "images", "dall-e-3", Map.of("images", 1)))));
        assertThat(api.usage("mlk_ThisKeyDoesNotExistAtAll0000000000000000", one).status()).isEqualTo(401);
        assertThat(api.usage(null, one).status()).isEqualTo(401);
        assertThat(api.usage(tenant.adminToken(), one).status()).as("a user's JWT is not an API key").isEqualTo(401);
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void openAiCachedTokensAreNeverCountedTwice() {
        Map<String, Object> native1 = new HashMap<>(event("native-openai", "openai", "gpt-4o", Map.of()));
        native1.remove("meters");
        native1.put("usage", Map.of("prompt_tokens", 1000, "completion_tokens", 200, "prompt_tokens_details", Map.of("cached_tokens", 400)));
        TestApi.Response response = send(native1);
        assertThat(response.status()).isEqualTo(200);
        // 600 x 2.50/M + 400 x 1.25/M + 200 x 10.00/M = 0.0015 + 0.0005 + 0.002
        assertThat(response.at("results.0.cost")).isEqualTo("0.004000000");
        TestApi.Response stored = api.graphql(tenant.adminToken(), "{ usageEvents(first: 1, model: \"gpt-4o\") { nodes { meters { meter quantity } } } }");
        assertThat(stored.at("data.usageEvents.nodes.0.meters")).isEqualTo(List.of(
                Map.of("meter", "cached_tokens", "quantity", "400"), Map.of("meter", "input_tokens", "quantity", "600"), Map.of("meter", "output_tokens", "quantity", "200")));
    }

    @Test
    void concurrentDeliveriesOfOneBatchCountOnce() throws Exception {
        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(event("race-" + i, "elevenlabs", "eleven_multilingual_v2", Map.of("characters", 100)));
        }
        String body = api.write(Map.of("events", batch));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<TestApi.Response>> sent = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                sent.add(pool.submit((Callable<TestApi.Response>) () -> api.usage(tenant.apiKey(), body)));
            }
            long accepted = 0;
            for (Future<TestApi.Response> future : sent) {
                TestApi.Response response = future.get();
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                accepted += ((Number) response.at("accepted")).longValue();
            }
            assertThat(accepted).isEqualTo(50);
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE event_id LIKE 'race-%'")).isEqualTo(50);
        assertThat(rows.count("SELECT SUM(quantity) FROM usage_bucket_meter WHERE provider = 'elevenlabs'")).isEqualTo(50 * 100);
    }

    @Test
    void theFirstBatchesOfANewOrganizationArrivingTogetherAreAllRecorded() throws Exception {
        // Every listener creates its first rows for a new organization (ledger balance, counters);
        // concurrent first batches may deadlock there, and a deadlock victim is retried, not lost.
        Fixtures.Tenant fresh = Fixtures.tenant(api, "first-batches", "UTC");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<TestApi.Response>> sent = new ArrayList<>();
            for (int client = 0; client < 6; client++) {
                List<Object> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(event("first-" + client + "-" + i, "openai", "gpt-4o-mini", Map.of("input_tokens", 100, "output_tokens", 10)));
                }
                String body = api.write(Map.of("events", batch));
                sent.add(pool.submit((Callable<TestApi.Response>) () -> api.usage(fresh.apiKey(), body)));
            }
            for (Future<TestApi.Response> future : sent) {
                TestApi.Response response = future.get();
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.at("accepted")).isEqualTo(20);
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE event_id LIKE 'first-%'")).isEqualTo(120);
    }

    @Test
    void usageRecordFollowsTheSameRules() {
        String mutation = "mutation($input: UsageRecordInput!) { usageRecord(input: $input) { results { eventId outcome cost { amount currencyCode } priced }"
                + " errors { index field code } userErrors { field code } } }";
        Map<String, Object> call = Map.of("id", "gql-1", "timestamp", "2026-03-10T12:00:00Z", "provider", "smartflo", "model", "voice",
                "meters", Map.of("minutes", new BigDecimal("1.25")), "durationMs", 75000);
        TestApi.Response recorded = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("events", List.of(call))));
        assertThat(recorded.at("data.usageRecord.results.0.outcome")).isEqualTo("ACCEPTED");
        // 75 s rounds up to 2 minutes at the default 60 s increment: 2 x 0.02
        assertThat(recorded.at("data.usageRecord.results.0.cost.amount")).isEqualTo("0.040000000");
        TestApi.Response duplicate = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("events", List.of(call))));
        assertThat(duplicate.at("data.usageRecord.results.0.outcome")).isEqualTo("DUPLICATE");

        long before = storedEvents();
        TestApi.Response bad = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("events", List.of(
                Map.of("id", "gql-2", "timestamp", "2026-03-10T12:00:00Z", "provider", "smartflo", "model", "voice", "meters", Map.of("minutes", -1))))));
        assertThat(bad.at("data.usageRecord.errors.0.code")).isEqualTo("NEGATIVE_QUANTITY");
        assertThat(bad.at("data.usageRecord.userErrors.0.field")).isEqualTo(List.of("input", "events", "0", "meters.minutes"));
        assertThat(storedEvents()).isEqualTo(before);

        TestApi.Response byMember = api.graphql(tenant.memberToken(), mutation, Map.of("input", Map.of("events", List.of(call))));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
    }
}
