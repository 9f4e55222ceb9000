package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.support.TestRedis;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every guarantee of {@link BudgetAuthorizeIT} again with the holds in Redis (RedisReservationBook),
 * plus what that book adds: budgets cached per instance yet enforced everywhere once their
 * mutation returns, and consumption mirrored from the database, also after Redis lost it.
 */
class BudgetAuthorizeRedisIT extends BudgetAuthorizeIT {

    @Inject
    ReservationBook book;

    @Inject
    RedisClient redis;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(TestRedis.properties());
        return properties;
    }

    @BeforeAll
    void redisHoldsTheReservations() {
        assumeTrue(TestRedis.listens(), "Redis on 127.0.0.1:6379 (CI always has it)");
        assertThat(book).isInstanceOf(RedisReservationBook.class);
    }

    static String tokens(int tokens) {
        return "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":" + tokens + "}}";
    }

    @Test
    void aBudgetChangeIsEnforcedOnEveryInstanceOnceTheMutationReturns() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "redis-catalog", "UTC");
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            // Both instances cache "no budgets" first.
            assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json", tokens(500)).at("reservation_id")).isNull();
            assertThat(other.post("/v1/authorize", owner.apiKey(), "application/json", tokens(500)).at("reservation_id")).isNull();

            String id = budget(owner, BudgetIT.input("name", "Tokens", "metric", "TOKENS", "period", "DAY", "limit", "1000", "enforcement", "HARD"));
            TestApi.Response held = other.post("/v1/authorize", owner.apiKey(), "application/json", tokens(600));
            assertThat(held.at("decision")).as(held.body()).isEqualTo("ALLOW");
            assertThat(held.at("reservation_id")).isNotNull();
            assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json", tokens(600)).at("decision")).isEqualTo("DENY");

            TestApi.Response raised = api.graphql(owner.adminToken(), "mutation($input: BudgetUpdateInput!) { budgetUpdate(input: $input) { userErrors { code } } }",
                    Map.of("input", Map.of("id", id, "limit", "2000")));
            assertThat(raised.at("data.budgetUpdate.userErrors")).as(raised.body()).isEqualTo(List.of());
            assertThat(other.post("/v1/authorize", owner.apiKey(), "application/json", tokens(600)).at("decision")).isEqualTo("ALLOW");
        }
    }

    @Test
    void recordedUsageCountsOnTheOtherInstanceAtOnceAndSurvivesRedisLosingTheMirror() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "redis-mirror", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Tokens", "metric", "TOKENS", "period", "MONTH", "limit", "1000", "enforcement", "HARD"));
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            assertThat(other.post("/v1/authorize", owner.apiKey(), "application/json", tokens(1000)).at("decision")).isEqualTo("ALLOW");
            String event = "{\"events\":[{\"id\":\"mirror-1\",\"timestamp\":\"" + Instant.now().minusSeconds(1) + "\",\"provider\":\"openai\","
                    + "\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":700,\"output_tokens\":100}}]}";
            assertThat(api.usage(owner.apiKey(), event).status()).isEqualTo(200);
            // 800 recorded without a reservation, 1000 still held: the other instance sees both.
            TestApi.Response denied = other.post("/v1/authorize", owner.apiKey(), "application/json", tokens(1));
            assertThat(denied.at("denied_by.consumed")).as(denied.body()).isEqualTo("800.000000000");
            assertThat(denied.at("denied_by.reserved")).isEqualTo("1000.000000000");

            // Redis forgets the mirror: the next decision reads the counter from the database again.
            long budgetRow = GlobalId.decode(id).orElseThrow().id();
            try (StatefulRedisConnection<String, String> connection = redis.connect()) {
                String prefix = server.getApplicationContext().getProperty("meterline.redis.prefix", String.class).orElseThrow();
                List<String> mirrors = connection.sync().keys(prefix + "budget:" + budgetRow + ":*:c");
                assertThat(mirrors).hasSize(1);
                connection.sync().del(mirrors.get(0));
            }
            TestApi.Response reread = api.post("/v1/authorize", owner.apiKey(), "application/json", tokens(1));
            assertThat(reread.at("denied_by.consumed")).as(reread.body()).isEqualTo("800.000000000");
            assertThat(reserved(owner, id)).isEqualTo("1000.000000000");
        }
    }

    @Test
    void holdsExpireByTheSecondAndSettlingAfterExpiryTakesNothingTwice() throws Exception {
        Fixtures.Tenant owner = Fixtures.tenant(api, "redis-expiry", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Tokens", "metric", "TOKENS", "period", "MONTH", "limit", "1000000", "enforcement", "HARD"));
        List<String> reservations = new java.util.ArrayList<>();
        Instant lastExpiry = Instant.EPOCH;
        for (int i = 0; i < 40; i++) {
            TestApi.Response held = api.post("/v1/authorize", owner.apiKey(), "application/json",
                    "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":10},\"ttl_seconds\":1}");
            reservations.add((String) held.at("reservation_id"));
            Instant expiry = Instant.parse((String) held.at("expires_at"));
            assertThat(expiry.getNano()).as("expiries are whole seconds").isZero();
            lastExpiry = expiry.isAfter(lastExpiry) ? expiry : lastExpiry;
        }
        TestApi.Response longer = api.post("/v1/authorize", owner.apiKey(), "application/json", tokens(7));
        // Settled before expiry: its 10 leave the total at once.
        settle(owner, "expiry-early", reservations.get(0));
        assertThat(reserved(owner, id)).isEqualTo("397.000000000");

        clock.set(lastExpiry.minusMillis(1));
        assertThat(reserved(owner, id)).as("held until the last expiry").isEqualTo("397.000000000");
        clock.set(lastExpiry);
        long budgetRow = GlobalId.decode(id).orElseThrow().id();
        String prefix = server.getApplicationContext().getProperty("meterline.redis.prefix", String.class).orElseThrow();
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            String holds = connection.sync().keys(prefix + "budget:" + budgetRow + ":*:h").get(0);
            long before = connection.sync().hlen(holds);
            assertThat(reserved(owner, id)).isEqualTo("7.000000000");
            // The expired holds' ids are dropped a few per call, never all in one.
            assertThat(before - connection.sync().hlen(holds)).isBetween(1L, 16L);
            // Settled after expiry: the expired bucket already took its 10 away.
            settle(owner, "expiry-late", reservations.get(1));
            assertThat(reserved(owner, id)).isEqualTo("7.000000000");
            settle(owner, "expiry-longer", (String) longer.at("reservation_id"));
            assertThat(reserved(owner, id)).isEqualTo("0.000000000");
            assertThat(connection.sync().hkeys(holds)).containsExactly("sum");
        }
    }

    private void settle(Fixtures.Tenant owner, String eventId, String reservation) {
        String event = "{\"events\":[{\"id\":\"" + eventId + "\",\"timestamp\":\"" + Instant.now().minusSeconds(1) + "\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":0},\"reservation_id\":\"" + reservation + "\"}]}";
        assertThat(api.usage(owner.apiKey(), event).status()).isEqualTo(200);
    }
}
