package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Inject;
import java.time.Duration;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * "May this call go ahead?": exact admission under concurrency (also across two servers), reservations, denials that explain themselves,
 * with the holds in the database (no Redis configured); {@link BudgetAuthorizeRedisIT} runs the same with the holds in Redis.
 */
class BudgetAuthorizeIT extends ServerTest {

    static final String AUTHORIZE = "mutation($input: UsageAuthorizeInput!) { usageAuthorize(input: $input) { authorization { decision reservationId expiresAt"
            + " reason remaining resetsAt deniedBy { budget { id name } scope period limit consumed reserved requested remaining resetsAt }"
            + " budgets { budget { name } requested } } userErrors { field code } } }";

    @Inject
    MutableClock clock;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        return properties;
    }

    /**
     * Each test starts at the real time, so the events it sends with real timestamps fall in the current
     * periods; a hold's expiry is reached by moving the clock rather than by waiting for it.
     */
    @BeforeEach
    void startAtRealTime() {
        clock.set(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    String budget(Fixtures.Tenant owner, Map<String, Object> input) {
        TestApi.Response response = api.graphql(owner.adminToken(), BudgetIT.CREATE, Map.of("input", input));
        String id = (String) response.at("data.budgetCreate.budget.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    /** What a budget's unexpired holds keep, as its status reads. */
    String reserved(Fixtures.Tenant owner, String budgetId) {
        return (String) api.graphql(owner.adminToken(), BudgetIT.STATUS, Map.of("id", budgetId)).at("data.node.status.reserved");
    }

    static String request(String team) {
        return "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"dimensions\":{\"team\":\"" + team + "\"},\"estimate\":{\"tokens\":100,\"cost\":\"0.01\"}}";
    }

    static long admitted(List<TestApi.Response> responses) {
        for (TestApi.Response response : responses) {
            assertThat(response.status()).as(response.body()).isEqualTo(200);
        }
        return responses.stream().filter(response -> "ALLOW".equals(response.at("decision"))).count();
    }

    static List<TestApi.Response> concurrently(int calls, List<TestApi> servers, String apiKey, String body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<TestApi.Response>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                TestApi target = servers.get(i % servers.size());
                sent.add(pool.submit((Callable<TestApi.Response>) () -> target.post("/v1/authorize", apiKey, "application/json", body)));
            }
            List<TestApi.Response> responses = new ArrayList<>();
            for (Future<TestApi.Response> future : sent) {
                responses.add(future.get());
            }
            return responses;
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoHundredConcurrentAuthorizationsAdmitExactlyTheTenThatFit() throws Exception {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-exact", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Ten a day", "metric", "REQUESTS", "period", "DAY", "limit", "10", "enforcement", "HARD"));
        List<TestApi.Response> responses = concurrently(200, List.of(api), owner.apiKey(), request("any"));
        assertThat(admitted(responses)).isEqualTo(10);
        TestApi.Response denied = responses.stream().filter(response -> "DENY".equals(response.at("decision"))).findFirst().orElseThrow();
        assertThat(denied.at("reservation_id")).isNull();
        assertThat(denied.at("denied_by.budget_id")).isEqualTo(id);
        assertThat(denied.at("denied_by.limit")).isEqualTo("10.000000000");
        assertThat(denied.at("denied_by.reserved")).isEqualTo("10.000000000");
        assertThat(denied.at("denied_by.period")).isEqualTo("DAY");
        assertThat(denied.at("denied_by.scope")).isEqualTo("ORGANIZATION");
        assertThat(denied.at("remaining")).isEqualTo("0.000000000");
        assertThat(denied.at("resets_at")).isNotNull();
        TestApi.Response status = api.graphql(owner.adminToken(), BudgetIT.STATUS, Map.of("id", id));
        assertThat(status.at("data.node.status.reserved")).isEqualTo("10.000000000");
        assertThat(status.at("data.node.status.consumed")).isEqualTo("0.000000000");
    }

    @Test
    void twoServersSharingTheDatabaseTogetherAdmitExactlyTen() throws Exception {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-two", "UTC");
        budget(owner, BudgetIT.input("name", "Team ten", "metric", "REQUESTS", "period", "DAY", "scope", "TEAM", "scopeKey", "support", "limit", "10",
                "enforcement", "HARD"));
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            List<TestApi.Response> responses = concurrently(200, List.of(api, other), owner.apiKey(), request("support"));
            assertThat(admitted(responses)).isEqualTo(10);
            // Another team is not held by the team budget.
            assertThat(other.post("/v1/authorize", owner.apiKey(), "application/json", request("sales")).at("decision")).isEqualTo("ALLOW");
        }
    }

    /**
     * With Redis the decision reads the mirrored consumption, loaded by the first decision: the
     * repricing must raise it once it committed, or calls would be admitted until the mirror expires.
     */
    @Test
    void aRepricingThatPushesAHardCostBudgetOverItsLimitDeniesTheNextCall() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-reprice", "UTC");
        String model = "claude-hard-" + System.nanoTime();
        String id = budget(owner, BudgetIT.input("name", "Hard spend", "metric", "COST", "period", "MONTH", "limit", "1", "enforcement", "HARD"));
        String call = "{\"provider\":\"anthropic\",\"model\":\"" + model + "\",\"estimate\":{\"cost\":\"0.01\"}}";
        Instant at = Instant.now().minusSeconds(60);
        String event = "{\"events\":[{\"id\":\"reprice-hard\",\"timestamp\":\"" + at + "\",\"provider\":\"anthropic\",\"model\":\"" + model + "\","
                + "\"meters\":{\"input_tokens\":1000,\"output_tokens\":1000}}]}";
        assertThat(api.usage(owner.apiKey(), event).at("results.0.priced")).isEqualTo(false);
        TestApi.Response before = api.post("/v1/authorize", owner.apiKey(), "application/json", call);
        assertThat(before.at("decision")).as(before.body()).isEqualTo("ALLOW");

        Instant from = at.truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(1));
        String rateSet = "mutation($input: RateSetInput!) { rateSet(input: $input) { repricedEventCount userErrors { code } } }";
        TestApi.Response repriced = api.graphql(api.adminToken(), rateSet, Map.of("input", Map.of("provider", "anthropic", "model", model,
                "meter", "input_tokens", "unitPrice", "1", "per", 1000, "effectiveFrom", from.toString())));
        assertThat(repriced.at("data.rateSet.repricedEventCount")).as(repriced.body()).isEqualTo(1);
        assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json", call).at("decision")).as("the event is not fully priced yet").isEqualTo("ALLOW");
        repriced = api.graphql(api.adminToken(), rateSet, Map.of("input", Map.of("provider", "anthropic", "model", model,
                "meter", "output_tokens", "unitPrice", "1", "per", 1000, "effectiveFrom", from.toString())));
        assertThat(repriced.at("data.rateSet.repricedEventCount")).as(repriced.body()).isEqualTo(1);

        TestApi.Response denied = api.post("/v1/authorize", owner.apiKey(), "application/json", call);
        assertThat(denied.at("decision")).as(denied.body()).isEqualTo("DENY");
        assertThat(denied.at("denied_by.consumed")).isEqualTo("2.000000000");
        assertThat(api.graphql(owner.adminToken(), BudgetIT.STATUS, Map.of("id", id)).at("data.node.status.consumed")).isEqualTo("2.000000000");
    }

    @Test
    void recordingTheCallSettlesItsReservationAndExpiredHoldsStopCounting() throws Exception {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-settle", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Tokens", "metric", "TOKENS", "period", "MONTH", "limit", "1000", "enforcement", "HARD"));
        String soft = budget(owner, BudgetIT.input("name", "Soft cost", "metric", "COST", "period", "MONTH", "limit", "0.01"));
        TestApi.Response first = api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":800,\"cost\":\"1\"}}");
        assertThat(first.at("decision")).as(first.body()).isEqualTo("ALLOW");
        assertThat(first.at("remaining")).isEqualTo("1000.000000000");
        String reservation = (String) first.at("reservation_id");
        assertThat(reservation).startsWith("rsv_");
        // 800 held: 300 more do not fit; a soft budget over its limit never denies.
        TestApi.Response second = api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":300}}");
        assertThat(second.at("decision")).isEqualTo("DENY");
        assertThat(second.at("denied_by.reserved")).isEqualTo("800.000000000");
        assertThat((String) second.at("reason")).contains("Tokens");

        String event = "{\"events\":[{\"id\":\"settle-1\",\"timestamp\":\"" + Instant.now().minusSeconds(1) + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\","
                + "\"meters\":{\"input_tokens\":500,\"output_tokens\":100},\"reservation_id\":\"" + reservation + "\"}]}";
        assertThat(api.usage(owner.apiKey(), event).status()).isEqualTo(200);
        TestApi.Response status = api.graphql(owner.adminToken(), BudgetIT.STATUS, Map.of("id", id));
        assertThat(status.at("data.node.status.consumed")).isEqualTo("600.000000000");
        assertThat(status.at("data.node.status.reserved")).isEqualTo("0.000000000");
        assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":300}}").at("decision")).isEqualTo("ALLOW");

        // A hold that is never settled lapses at its TTL.
        TestApi.Response shortHold = api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":100},\"ttl_seconds\":1}");
        assertThat(shortHold.at("decision")).isEqualTo("ALLOW");
        assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":1}}").at("decision")).isEqualTo("DENY");
        Instant expiresAt = Instant.parse((String) shortHold.at("expires_at"));
        clock.set(expiresAt.minusMillis(1));
        assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":1}}").at("decision")).as("held until its expiry").isEqualTo("DENY");
        clock.set(expiresAt);
        TestApi.Response afterExpiry = api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"tokens\":100}}");
        assertThat(afterExpiry.at("decision")).as(afterExpiry.body()).isEqualTo("ALLOW");
        assertThat(api.graphql(owner.adminToken(), BudgetIT.STATUS, Map.of("id", soft)).at("data.node.status.consumed")).isNotNull();
    }

    @Test
    void graphQLAuthorizationScopesByApiKeyAndRefusesNegativeEstimates() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-graphql", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Key calls", "metric", "REQUESTS", "period", "MINUTE", "scope", "API_KEY", "scopeKey", owner.apiKeyId(),
                "limit", "1", "enforcement", "HARD"));
        Map<String, Object> input = new HashMap<>(Map.of("apiKeyId", owner.apiKeyId(), "provider", "openai", "model", "gpt-4o", "estimate", Map.of("tokens", 10)));
        TestApi.Response allowed = api.graphql(owner.adminToken(), AUTHORIZE, Map.of("input", input));
        assertThat(allowed.at("data.usageAuthorize.authorization.decision")).as(allowed.body()).isEqualTo("ALLOW");
        assertThat(allowed.at("data.usageAuthorize.authorization.budgets.0.budget.name")).isEqualTo("Key calls");
        TestApi.Response denied = api.graphql(owner.adminToken(), AUTHORIZE, Map.of("input", input));
        assertThat(denied.at("data.usageAuthorize.authorization.decision")).isEqualTo("DENY");
        assertThat(denied.at("data.usageAuthorize.authorization.deniedBy.budget.id")).isEqualTo(id);
        assertThat(denied.at("data.usageAuthorize.authorization.deniedBy.period")).isEqualTo("MINUTE");
        assertThat(denied.at("data.usageAuthorize.authorization.deniedBy.scope")).isEqualTo("API_KEY");
        assertThat(denied.at("data.usageAuthorize.authorization.deniedBy.requested")).isEqualTo("1");
        assertThat(denied.at("data.usageAuthorize.authorization.deniedBy.resetsAt")).isNotNull();
        // Without the key, the key's budget does not apply.
        input.remove("apiKeyId");
        assertThat(api.graphql(owner.adminToken(), AUTHORIZE, Map.of("input", input)).at("data.usageAuthorize.authorization.decision")).isEqualTo("ALLOW");

        assertThat(reserved(owner, id)).isEqualTo("1.000000000");
        input.put("estimate", Map.of("tokens", -5));
        TestApi.Response negative = api.graphql(owner.adminToken(), AUTHORIZE, Map.of("input", input));
        assertThat(negative.at("data.usageAuthorize.authorization")).isNull();
        assertThat(negative.at("data.usageAuthorize.userErrors.0.code")).isEqualTo("OUT_OF_RANGE");
        assertThat(negative.at("data.usageAuthorize.userErrors.0.field")).isEqualTo(List.of("input", "estimate", "tokens"));
        TestApi.Response rest = api.post("/v1/authorize", owner.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{\"cost\":\"-0.5\"}}");
        assertThat(rest.status()).isEqualTo(400);
        assertThat(rest.codes("errors")).containsExactly("NEGATIVE_QUANTITY");
        assertThat(rest.pluck("errors", "field")).containsExactly("estimate.cost");
        assertThat(reserved(owner, id)).isEqualTo("1.000000000");
        assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json", "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"estimate\":{},\"extra\":1}")
                .codes("errors")).containsExactly("UNKNOWN_FIELD");
    }

    @Test
    void revokedAndUnknownKeysCannotAuthorize() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-revoked", "UTC");
        api.graphql(owner.adminToken(), "mutation { apiKeyRevoke(input: {id: \"" + owner.apiKeyId() + "\"}) { apiKey { status } } }");
        assertThat(api.post("/v1/authorize", owner.apiKey(), "application/json", request("any")).status()).isEqualTo(401);
        assertThat(api.post("/v1/authorize", "mlk_unknown-key-000000", "application/json", request("any")).status()).isEqualTo(401);
        assertThat(api.post("/v1/authorize", null, "application/json", request("any")).status()).isEqualTo(401);
    }

    @Test
    void aKeyRevokedOnOneInstanceIsRefusedByTheOtherAtOnce() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "authorize-revoked-two", "UTC");
        budget(owner, BudgetIT.input("name", "Calls", "metric", "REQUESTS", "period", "DAY", "limit", "1000", "enforcement", "HARD"));
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            // The other instance has used the key, so it knows it.
            assertThat(other.post("/v1/authorize", owner.apiKey(), "application/json", request("any")).at("decision")).isEqualTo("ALLOW");
            api.graphql(owner.adminToken(), "mutation { apiKeyRevoke(input: {id: \"" + owner.apiKeyId() + "\"}) { apiKey { status } } }");
            TestApi.Response refused = other.post("/v1/authorize", owner.apiKey(), "application/json", request("any"));
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(other.post("/v1/authorize", owner.apiKey(), "application/json", request("any")).status()).isEqualTo(401);
        }
    }
}
