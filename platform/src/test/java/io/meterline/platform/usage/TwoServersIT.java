package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Two server instances on one database receive the same events at the same moment: each is counted once. */
class TwoServersIT extends ServerTest {

    @Inject
    TransactionOperations<Connection> transactions;

    @Test
    void theSameBatchDeliveredToTwoServersAtOnceIsCountedOnce() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "two-servers", "UTC");
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            List<Object> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(Map.of("id", "both-" + i, "timestamp", "2026-08-01T10:00:00Z", "provider", "openai", "model", "gpt-4o-mini",
                        "meters", Map.of("input_tokens", 100 + i, "output_tokens", 10)));
            }
            String body = api.write(Map.of("events", batch));
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<TestApi.Response>> sent = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    TestApi target = i % 2 == 0 ? api : other;
                    sent.add(pool.submit((Callable<TestApi.Response>) () -> target.usage(tenant.apiKey(), body)));
                }
                long accepted = 0;
                for (Future<TestApi.Response> future : sent) {
                    TestApi.Response response = future.get();
                    assertThat(response.status()).as(response.body()).isEqualTo(200);
                    accepted += ((Number) response.at("accepted")).longValue();
                }
                assertThat(accepted).isEqualTo(200);
            }
            finally {
                pool.shutdownNow();
            }
            Rows rows = new Rows(transactions);
            assertThat(rows.count("SELECT COUNT(*) FROM usage_event WHERE event_id LIKE 'both-%'")).isEqualTo(200);
            assertThat(rows.count("SELECT SUM(requests) FROM usage_bucket WHERE model = 'gpt-4o-mini'")).isEqualTo(200);
            // The second instance answers for the same data and the same tokens.
            TestApi.Response summary = other.graphql(tenant.adminToken(), "{ usageSummary(range: {from: \"2026-08-01\", to: \"2026-08-01\"}) { requests } }");
            assertThat(summary.at("data.usageSummary.requests")).isEqualTo(200);
        }
    }
}
