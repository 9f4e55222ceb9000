package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may hold an organization's budget room, for how long, what the room reads while it is held,
 * and what usage naming a reservation can release. Holds in the database here;
 * {@link BudgetHoldLimitsRedisIT} runs the same with the holds in Redis.
 */
class BudgetHoldLimitsIT extends ServerTest {

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;

    @BeforeAll
    void rows() {
        rows = new Rows(transactions);
    }

    String budget(Fixtures.Tenant owner, Map<String, Object> input) {
        TestApi.Response response = api.graphql(owner.adminToken(), BudgetIT.CREATE, Map.of("input", input));
        String id = (String) response.at("data.budgetCreate.budget.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    Object status(Fixtures.Tenant owner, String budgetId, String field) {
        return api.graphql(owner.adminToken(), BudgetIT.STATUS, Map.of("id", budgetId)).at("data.node.status." + field);
    }

    long heldRows(Fixtures.Tenant owner) {
        return rows.count("SELECT COUNT(*) FROM budget_reservation WHERE organization_id = ?", GlobalId.require(owner.organizationId(), "Organization"));
    }

    long events(Fixtures.Tenant owner) {
        return rows.count("SELECT COUNT(*) FROM usage_event WHERE organization_id = ?", GlobalId.require(owner.organizationId(), "Organization"));
    }

    TestApi.Response authorizeRest(Fixtures.Tenant owner, Map<String, Object> body) {
        return api.post("/v1/authorize", owner.apiKey(), "application/json", api.write(body));
    }

    static Map<String, Object> call(Object... extra) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("provider", "openai", "model", "gpt-4o", "estimate", Map.of("tokens", 10, "requests", 1)));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return body;
    }

    static Map<String, Object> event(String id, Object... extra) {
        Map<String, Object> event = new LinkedHashMap<>(Map.of("id", id, "timestamp", Instant.now().minusSeconds(5).toString(), "provider", "openai",
                "model", "gpt-4o", "meters", Map.of("input_tokens", 10, "output_tokens", 1)));
        for (int i = 0; i < extra.length; i += 2) {
            event.put((String) extra[i], extra[i + 1]);
        }
        return event;
    }

    TestApi.Response usage(Fixtures.Tenant owner, Map<String, Object>... events) {
        return api.usage(owner.apiKey(), api.write(Map.of("events", List.of(events))));
    }

    @Test
    void aMemberCannotHoldTheOrganizationsHardBudget() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "hold-member", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Hard day", "metric", "REQUESTS", "period", "DAY", "limit", "10", "enforcement", "HARD"));
        TestApi.Response refused = api.graphql(owner.memberToken(), BudgetAuthorizeIT.AUTHORIZE,
                Map.of("input", Map.of("provider", "openai", "model", "gpt-4o", "estimate", Map.of("requests", 10), "ttlSeconds", 86_400)));
        assertThat(refused.at("errors.0.extensions.code")).as(refused.body()).isEqualTo("FORBIDDEN");
        assertThat(refused.at("data")).isNull();
        // Even a short hold is an admin's act.
        TestApi.Response shortHold = api.graphql(owner.memberToken(), BudgetAuthorizeIT.AUTHORIZE,
                Map.of("input", Map.of("provider", "openai", "model", "gpt-4o", "estimate", Map.of("requests", 1))));
        assertThat(shortHold.at("errors.0.extensions.code")).as(shortHold.body()).isEqualTo("FORBIDDEN");
        assertThat(heldRows(owner)).isZero();
        assertThat(status(owner, id, "reserved")).isEqualTo("0.000000000");
        assertThat(status(owner, id, "remaining")).isEqualTo("10.000000000");
        // The organization's own calls still go ahead: nothing was held.
        assertThat(authorizeRest(owner, call("estimate", Map.of("requests", 1))).at("decision")).isEqualTo("ALLOW");
    }

    @Test
    void aHoldLongerThanTheConfiguredMaximumIsRefusedAndHoldsNothing() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "hold-cap", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Hard tokens", "metric", "TOKENS", "period", "DAY", "limit", "100", "enforcement", "HARD"));
        // application.yml: meterline.budgets.max-hold: 10m.
        TestApi.Response graphql = api.graphql(owner.adminToken(), BudgetAuthorizeIT.AUTHORIZE,
                Map.of("input", Map.of("provider", "openai", "model", "gpt-4o", "estimate", Map.of("tokens", 100), "ttlSeconds", 601)));
        assertThat(graphql.at("data.usageAuthorize.authorization")).as(graphql.body()).isNull();
        assertThat(graphql.codes("data.usageAuthorize.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(graphql.at("data.usageAuthorize.userErrors.0.field")).isEqualTo(List.of("input", "ttlSeconds"));
        for (int ttl : new int[] {601, 86_400, Integer.MAX_VALUE, 0, -1}) {
            TestApi.Response rest = authorizeRest(owner, call("estimate", Map.of("tokens", 100), "ttl_seconds", ttl));
            assertThat(rest.status()).as(ttl + ": " + rest.body()).isEqualTo(400);
            assertThat(rest.codes("errors")).as(rest.body()).containsExactly(ttl < 0 ? "NEGATIVE_QUANTITY" : "OUT_OF_RANGE");
            assertThat(rest.pluck("errors", "field")).containsExactly("ttl_seconds");
        }
        assertThat(heldRows(owner)).isZero();
        assertThat(status(owner, id, "reserved")).isEqualTo("0.000000000");

        // The maximum itself is a hold like any other, ending at most ten minutes on.
        Instant before = Instant.now();
        TestApi.Response longest = authorizeRest(owner, call("estimate", Map.of("tokens", 100), "ttl_seconds", 600));
        assertThat(longest.at("decision")).as(longest.body()).isEqualTo("ALLOW");
        assertThat(Instant.parse((String) longest.at("expires_at"))).isBefore(before.plus(Duration.ofMinutes(10)).plusSeconds(2));
        assertThat(status(owner, id, "reserved")).isEqualTo("100.000000000");
    }

    @Test
    void remainingIsTheLimitLessConsumedAndReservedAndNeverNegative() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "hold-remaining", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Ten calls", "metric", "REQUESTS", "period", "DAY", "limit", "10", "enforcement", "HARD"));
        String firstHold = null;
        for (int i = 0; i < 4; i++) {
            TestApi.Response held = authorizeRest(owner, call());
            assertThat(held.at("decision")).isEqualTo("ALLOW");
            // The answer's remaining is the room before this call.
            assertThat(held.at("remaining")).isEqualTo((10 - i) + ".000000000");
            assertThat(held.at("budgets.0.remaining")).isEqualTo((10 - i) + ".000000000");
            firstHold = firstHold == null ? (String) held.at("reservation_id") : firstHold;
        }
        assertThat(status(owner, id, "reserved")).isEqualTo("4.000000000");
        assertThat(status(owner, id, "remaining")).isEqualTo("6.000000000");
        TestApi.Response graphql = api.graphql(owner.adminToken(), BudgetAuthorizeIT.AUTHORIZE,
                Map.of("input", Map.of("provider", "openai", "model", "gpt-4o", "estimate", Map.of("requests", 1))));
        assertThat(graphql.at("data.usageAuthorize.authorization.remaining")).as(graphql.body()).isEqualTo("6.000000000");
        assertThat(graphql.at("data.usageAuthorize.authorization.budgets.0.budget.name")).isEqualTo("Ten calls");

        // Settling one hold with its call: one consumed, four still held, five left.
        assertThat(usage(owner, event("remaining-1", "reservation_id", firstHold)).status()).isEqualTo(200);
        assertThat(status(owner, id, "consumed")).isEqualTo("1.000000000");
        assertThat(status(owner, id, "reserved")).isEqualTo("4.000000000");
        assertThat(status(owner, id, "remaining")).isEqualTo("5.000000000");

        // All of it held: 0 left, as the denial says.
        for (int i = 0; i < 5; i++) {
            assertThat(authorizeRest(owner, call()).at("decision")).isEqualTo("ALLOW");
        }
        TestApi.Response denied = authorizeRest(owner, call());
        assertThat(denied.at("decision")).isEqualTo("DENY");
        assertThat(denied.at("remaining")).isEqualTo("0.000000000");
        assertThat(status(owner, id, "remaining")).isEqualTo("0.000000000");

        // Usage past a SOFT limit reads as no room, not a negative one.
        String soft = budget(owner, BudgetIT.input("name", "Soft tokens", "metric", "TOKENS", "period", "DAY", "limit", "5"));
        assertThat(usage(owner, event("remaining-over")).status()).isEqualTo(200);
        assertThat(status(owner, soft, "consumed")).isEqualTo("11.000000000");
        assertThat(status(owner, soft, "remaining")).isEqualTo("0.000000000");
    }

    @Test
    void controlCharactersInAuthorizationDimensionsAreRefusedAndHoldNothing() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "hold-control", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Org tokens", "metric", "TOKENS", "period", "DAY", "limit", "1000", "enforcement", "HARD"));
        for (String bad : List.of("\u0000", "sup\u0000port", "\u0001", "a\tb", "a\nb", "a\rb", "\u001b[31m", "\u001f", "a\u007fb")) {
            TestApi.Response rest = authorizeRest(owner, call("dimensions", Map.of("team", bad)));
            assertThat(rest.status()).as(rest.body()).isEqualTo(400);
            assertThat(rest.codes("errors")).containsExactly("INVALID_CHARACTERS");
            assertThat(rest.pluck("errors", "field")).containsExactly("dimensions.team");
            TestApi.Response graphql = api.graphql(owner.adminToken(), BudgetAuthorizeIT.AUTHORIZE,
                    Map.of("input", Map.of("provider", "openai", "model", "gpt-4o", "member", bad, "estimate", Map.of("tokens", 10))));
            assertThat(graphql.at("data.usageAuthorize.authorization")).as(graphql.body()).isNull();
            assertThat(graphql.codes("data.usageAuthorize.userErrors")).containsExactly("INVALID");
            assertThat(graphql.at("data.usageAuthorize.userErrors.0.field")).isEqualTo(List.of("input", "member"));
        }
        assertThat(heldRows(owner)).isZero();
        assertThat(status(owner, id, "reserved")).isEqualTo("0.000000000");
    }

    @Test
    void usageNamingAnotherOrganizationsReservationReleasesNothingOfIt() {
        Fixtures.Tenant victim = Fixtures.tenant(api, "hold-victim", "UTC");
        Fixtures.Tenant attacker = Fixtures.tenant(api, "hold-attacker", "UTC");
        String victimBudget = budget(victim, BudgetIT.input("name", "Victim calls", "metric", "REQUESTS", "period", "DAY", "limit", "10", "enforcement", "HARD"));
        String attackerBudget = budget(attacker, BudgetIT.input("name", "Attacker calls", "metric", "REQUESTS", "period", "DAY", "limit", "10", "enforcement", "HARD"));
        String victimHold = (String) authorizeRest(victim, call()).at("reservation_id");
        assertThat(victimHold).startsWith("rsv_");
        long victimRows = heldRows(victim);
        TestApi.Response attacker200 = usage(attacker, event("foreign-1", "reservation_id", victimHold));
        // Exactly what an unknown reservation gives: the call is recorded, and nothing is settled.
        TestApi.Response unknown = usage(attacker, event("unknown-1", "reservation_id", "rsv_" + "0".repeat(32)));
        for (TestApi.Response response : List.of(attacker200, unknown)) {
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.at("results.0.outcome")).isEqualTo("ACCEPTED");
        }
        assertThat(status(victim, victimBudget, "reserved")).isEqualTo("1.000000000");
        assertThat(status(victim, victimBudget, "consumed")).isEqualTo("0.000000000");
        assertThat(heldRows(victim)).isEqualTo(victimRows);
        assertThat(status(attacker, attackerBudget, "consumed")).isEqualTo("2.000000000");
        assertThat(status(attacker, attackerBudget, "reserved")).isEqualTo("0.000000000");
        // The victim's own usage still settles it.
        assertThat(usage(victim, event("victim-1", "reservation_id", victimHold)).status()).isEqualTo(200);
        assertThat(status(victim, victimBudget, "reserved")).isEqualTo("0.000000000");
        assertThat(heldRows(victim)).isZero();
    }

    @Test
    void aReservationIdNoAuthorizationCouldIssueRefusesTheBatch() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "hold-malformed", "UTC");
        String id = budget(owner, BudgetIT.input("name", "Calls", "metric", "REQUESTS", "period", "DAY", "limit", "10", "enforcement", "HARD"));
        String hold = (String) authorizeRest(owner, call()).at("reservation_id");
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("rsv_" + "a".repeat(37), "INVALID_RESERVATION_ID");
        refused.put("rsv with space", "INVALID_RESERVATION_ID");
        refused.put("résumé", "INVALID_RESERVATION_ID");
        refused.put(hold + "\u0000", "INVALID_CHARACTERS");
        refused.put(hold + "\n", "INVALID_CHARACTERS");
        refused.put(hold.substring(0, 10) + "\u007f" + hold.substring(10), "INVALID_CHARACTERS");
        refused.put("r".repeat(129), "TOO_LONG");
        refused.put(hold.substring(0, 4) + " ", "INVALID_RESERVATION_ID");
        for (Map.Entry<String, String> attempt : refused.entrySet()) {
            // A valid event first: the whole batch is refused, the valid event too.
            TestApi.Response response = usage(owner, event("fine-" + attempt.getValue()), event("bad", "reservation_id", attempt.getKey()));
            assertThat(response.status()).as(attempt.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(response.codes("errors")).containsExactly(attempt.getValue());
            assertThat(response.pluck("errors", "field")).containsExactly("reservation_id");
            assertThat(response.pluck("errors", "index")).containsExactly(1);
        }
        assertThat(events(owner)).isZero();
        assertThat(status(owner, id, "reserved")).isEqualTo("1.000000000");
        assertThat(status(owner, id, "consumed")).isEqualTo("0.000000000");
    }
}
