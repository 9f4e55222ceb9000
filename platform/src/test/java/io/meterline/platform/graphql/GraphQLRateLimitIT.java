package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.graphql.ws.WsClient;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-principal budget of query cost per minute, in process (no redis.uri): over it an
 * operation is refused with RATE_LIMITED and when to retry, runs nothing and spends nothing; the
 * next minute it runs again. The budget is set to its smallest allowed value, max-cost.
 */
class GraphQLRateLimitIT extends ServerTest {

    static final long BUDGET = 5000;
    /** 98 summaries of 51 each: 4,998 of the minute's 5,000. */
    static final String NEARLY_ALL = IntStream.range(0, 98).mapToObj(i -> "s" + i + ": usageSummary { tokens }").collect(Collectors.joining(" ", "{ ", " }"));
    static final String KEY_CREATE = "mutation { apiKeyCreate(input: {label: \"over budget\"}) { apiKey { prefix } secret } }";

    @Inject
    MutableClock clock;

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.graphql.cost-per-minute", Long.toString(BUDGET));
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
    }

    @BeforeEach
    void freshMinute() {
        // Each test starts in a minute of its own, 10 s in, so budgets spent by another test are gone.
        clock.set(clock.instant().plusSeconds(3600).truncatedTo(ChronoUnit.MINUTES).plusSeconds(10));
    }

    @Test
    void overTheBudgetAnOperationIsRefusedWithWhenToRetryAndNothingIsStored() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rate-one", "UTC");
        TestApi.Response spend = api.graphql(tenant.adminToken(), NEARLY_ALL);
        assertThat(spend.at("errors")).as(spend.body()).isNull();
        assertThat(((Number) spend.at("extensions.cost.requestedQueryCost")).longValue()).isEqualTo(4998);
        long keys = rows.count("SELECT COUNT(*) FROM api_key");

        TestApi.Response refused = api.graphql(tenant.adminToken(), KEY_CREATE);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.at("errors.0.extensions.code")).as(refused.body()).isEqualTo("RATE_LIMITED");
        assertThat(((Number) refused.at("errors.0.extensions.retryAfterSeconds")).longValue()).isEqualTo(50);
        assertThat(refused.at("data")).isNull();
        assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys);
        // A refused operation spent nothing: what is left (2) still pays for a free one.
        assertThat(api.graphql(tenant.adminToken(), "{ __typename }").at("errors")).isNull();
        // Another user of the same organization and address has a budget of their own.
        assertThat(api.graphql(tenant.memberToken(), "{ usageSummary { tokens } }").at("errors")).isNull();

        clock.set(clock.instant().plusSeconds(50));
        TestApi.Response nextMinute = api.graphql(tenant.adminToken(), KEY_CREATE);
        assertThat(nextMinute.at("errors")).as(nextMinute.body()).isNull();
        assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys + 1);
    }

    @Test
    void anOperationLargerThanWhatIsLeftIsRefusedWholeAndASmallerOneStillRuns() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rate-two", "UTC");
        String half = IntStream.range(0, 50).mapToObj(i -> "s" + i + ": usageSummary { tokens }").collect(Collectors.joining(" ", "{ ", " }"));
        assertThat(api.graphql(tenant.memberToken(), half).at("errors")).isNull();
        TestApi.Response second = api.graphql(tenant.memberToken(), half);
        assertThat(second.at("errors.0.extensions.code")).isEqualTo("RATE_LIMITED");
        assertThat(second.at("errors.0.extensions.costPerMinute")).isEqualTo((int) BUDGET);
        assertThat(api.graphql(tenant.memberToken(), "{ usageSummary { tokens } }").at("errors")).isNull();
    }

    @Test
    void anonymousCallersShareTheBudgetOfTheirAddress() {
        // Confirming an unknown email-change token is anonymous and answers INVALID; 300 of them weigh more than half the budget.
        String guesses = IntStream.range(0, 300).mapToObj(i -> "c" + i + ": emailChangeConfirm(input: {token: \"guess-" + i + "\"}) { userErrors { code } }")
                .collect(Collectors.joining(" ", "mutation { ", " }"));
        TestApi.Response first = api.graphql(null, guesses);
        assertThat(first.at("errors")).as(first.body().substring(0, Math.min(400, first.body().length()))).isNull();
        assertThat(((Number) first.at("extensions.cost.requestedQueryCost")).longValue()).isGreaterThan(BUDGET / 2);
        TestApi.Response second = api.graphql(null, guesses);
        assertThat(second.at("errors.0.extensions.code")).isEqualTo("RATE_LIMITED");
        assertThat(second.at("data")).isNull();
    }

    @Test
    void theWebsocketSpendsTheSameBudget() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rate-ws", "UTC");
        assertThat(api.graphql(tenant.adminToken(), NEARLY_ALL).at("errors")).isNull();
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.subscribe("1", "{ viewer { user { email } } }", Map.of());
            Map<String, Object> answer = client.next();
            assertThat(answer).containsEntry("type", "error").containsEntry("id", "1");
            assertThat(TestApi.at(answer, "payload.0.extensions.code")).isEqualTo("RATE_LIMITED");
            // A too complex operation is refused on the socket as on /graphql.
            String tooComplex = IntStream.range(0, 100).mapToObj(i -> "s" + i + ": usageSummary { tokens }").collect(Collectors.joining(" ", "{ ", " }"));
            client.subscribe("2", tooComplex, Map.of());
            Map<String, Object> second = client.next();
            assertThat(second).containsEntry("type", "error").containsEntry("id", "2");
            assertThat(TestApi.at(second, "payload.0.extensions.code")).isEqualTo("QUERY_TOO_COMPLEX");
        }
        clock.set(clock.instant().plusSeconds(60));
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.subscribe("1", "{ viewer { user { email } } }", Map.of());
            Map<String, Object> answer = client.next();
            assertThat(answer).as(answer.toString()).containsEntry("type", "next");
        }
    }
}
