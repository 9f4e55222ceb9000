package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.graphql.ws.WsClient;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.FxFixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * COST budgets count in the billing currency (issue 16): a CAD organization's CAD budget counts its
 * USD-priced usage converted, and alerts over the subscription socket (graphql-transport-ws) with the
 * exact converted amount; a held (unconverted) event counts, and alerts, only when its rate arrives;
 * authorizations convert a cost estimate in another currency at today's rate.
 *
 * <p>Rates (units per euro, set with fxRateSet): Mon 2026-11-16 USD 1.0823, CAD 1.4951; NZD none
 * until a test sets it. The bundled file ends in March 2026, so these are the rates the days use.
 */
class CostBudgetCurrencyIT extends ServerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String ALERTS = "subscription { alertRaised(afterSequence: 0) { kind level subject message data cost { amount currencyCode } } }";
    private static final String STATUS = "query($id: ID!) { node(id: $id) { ... on Budget { currency status { consumed percent cost { amount currencyCode } } } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    Rows rows;
    String admin;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        clock.set(NOW);
        admin = api.adminToken();
        FxFixtures.setRate(api, admin, "USD", "1.0823", "2026-11-16");
        FxFixtures.setRate(api, admin, "CAD", "1.4951", "2026-11-16");
    }

    @BeforeEach
    void resetClock() {
        clock.set(NOW);
    }

    private void gpt4(Fixtures.Tenant tenant, String id, String timestamp) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(FxFixtures.gpt4(id, timestamp)))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private String budget(Fixtures.Tenant tenant, Map<String, Object> input) {
        TestApi.Response response = api.graphql(tenant.adminToken(), BudgetIT.CREATE, Map.of("input", input));
        String id = (String) response.at("data.budgetCreate.budget.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    private TestApi.Response status(Fixtures.Tenant tenant, String budgetId) {
        return api.graphql(tenant.memberToken(), STATUS, Map.of("id", budgetId));
    }

    private long alertCount(Fixtures.Tenant tenant) {
        return ((Number) api.graphql(tenant.adminToken(), "{ alerts(status: ALL) { totalCount } }").at("data.alerts.totalCount")).longValue();
    }

    @Test
    void aCadBudgetAlertsOnUsdUsageOverTheSocketWithTheConvertedAmount() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "cad-budget", "America/Toronto", "CAD");
        String id = budget(tenant, BudgetIT.input("name", "CAD spend", "metric", "COST", "period", "MONTH", "limit", "20", "thresholds", List.of(50, 90)));
        // 6.96297 USD x (1.4951 / 1.0823 = 1.381409960270) = 9.618716111 CAD per call.
        BigDecimal perCall = FxFixtures.converted(FxFixtures.GPT4_COST, "1.0823", "1.4951");
        assertThat(perCall).isEqualByComparingTo("9.618716111");

        try (WsClient subscriber = WsClient.initialised(server.getURI(), jsonMapper, tenant.memberToken())) {
            // afterSequence: 0 replays what was raised before the subscription is live, so the test needs no wait for it.
            subscriber.subscribe("1", ALERTS, Map.of());
            gpt4(tenant, "cad-1", "2026-11-16T15:00:00Z");
            assertThat(status(tenant, id).at("data.node.status.consumed")).isEqualTo("9.618716111");
            assertThat(alertCount(tenant)).as("48.09 % is below the first threshold").isZero();

            gpt4(tenant, "cad-2", "2026-11-16T15:05:00Z");
            BigDecimal consumed = perCall.add(perCall);
            for (String level : List.of("WARNING", "CRITICAL")) {
                Map<String, Object> message = subscriber.next();
                assertThat(TestApi.at(message, "type")).as(message.toString()).isEqualTo("next");
                assertThat(TestApi.at(message, "payload.data.alertRaised.kind")).isEqualTo("BUDGET_THRESHOLD");
                assertThat(TestApi.at(message, "payload.data.alertRaised.level")).isEqualTo(level);
                assertThat(TestApi.at(message, "payload.data.alertRaised.cost")).isEqualTo(Map.of("amount", "19.237432222", "currencyCode", "CAD"));
                assertThat(TestApi.at(message, "payload.data.alertRaised.data.consumed")).isEqualTo(consumed.toPlainString()).isEqualTo("19.237432222");
                assertThat(TestApi.at(message, "payload.data.alertRaised.data.currency")).isEqualTo("CAD");
                assertThat((String) TestApi.at(message, "payload.data.alertRaised.message")).endsWith(": 19.237432222 CAD of 20.000000000 CAD");
            }
        }
        TestApi.Response status = status(tenant, id);
        assertThat(status.at("data.node.currency")).isEqualTo("CAD");
        assertThat(status.at("data.node.status.cost")).isEqualTo(Map.of("amount", "19.237432222", "currencyCode", "CAD"));
        assertThat(status.at("data.node.status.percent")).isEqualTo("96.19");
        assertThat(alertCount(tenant)).isEqualTo(2);
    }

    @Test
    void aHeldEventCrossesTheThresholdOnlyWhenItsRateArrives() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "nzd-budget", "UTC", "NZD");
        Fixtures.Tenant neighbour = Fixtures.tenant(api, "nzd-budget-neighbour", "UTC", "NZD");
        String id = budget(tenant, BudgetIT.input("name", "NZD spend", "metric", "COST", "period", "MONTH", "limit", "15", "thresholds", List.of(50)));
        String neighbours = budget(neighbour, BudgetIT.input("name", "NZD spend", "metric", "COST", "period", "MONTH", "limit", "15", "thresholds", List.of(50)));

        try (WsClient subscriber = WsClient.initialised(server.getURI(), jsonMapper, tenant.memberToken());
             WsClient other = WsClient.initialised(server.getURI(), jsonMapper, neighbour.memberToken())) {
            subscriber.subscribe("1", ALERTS, Map.of());
            other.subscribe("1", ALERTS, Map.of());
            gpt4(tenant, "nzd-held", "2026-11-17T10:00:00Z");
            // No NZD rate yet: the event is held unconverted and counts nothing, not 0 of a wrong currency.
            assertThat(rows.count("SELECT COUNT(*) FROM usage_unconverted WHERE organization_id = (SELECT id FROM organization WHERE slug = 'nzd-budget')")).isEqualTo(1);
            assertThat(status(tenant, id).at("data.node.status.consumed")).isEqualTo("0.000000000");
            assertThat(alertCount(tenant)).isZero();

            FxFixtures.setRate(api, admin, "NZD", "1.6789", "2026-11-17");
            // USD's leg is Monday's (1.0823): 6.96297 x 1.551233484247 = 10.801192214 NZD, 72.01 % of 15.
            BigDecimal amount = FxFixtures.converted(FxFixtures.GPT4_COST, "1.0823", "1.6789");
            assertThat(amount).isEqualByComparingTo("10.801192214");
            Map<String, Object> message = subscriber.next();
            assertThat(TestApi.at(message, "payload.data.alertRaised.level")).as(message.toString()).isEqualTo("WARNING");
            assertThat(TestApi.at(message, "payload.data.alertRaised.subject")).isEqualTo("NZD spend");
            assertThat(TestApi.at(message, "payload.data.alertRaised.cost")).isEqualTo(Map.of("amount", "10.801192214", "currencyCode", "NZD"));
            assertThat(TestApi.at(message, "payload.data.alertRaised.data.percent")).isEqualTo("72.01");
            assertThat(status(tenant, id).at("data.node.status.consumed")).isEqualTo(amount.toPlainString());
            // Another rate later converts nothing twice: the budget and the alerts stay.
            FxFixtures.setRate(api, admin, "NZD", "1.69", "2026-11-18");
            assertThat(status(tenant, id).at("data.node.status.consumed")).isEqualTo("10.801192214");
            assertThat(alertCount(tenant)).isEqualTo(1);
            // The neighbour, billed in the same currency, neither counted nor heard of it.
            assertThat(status(neighbour, neighbours).at("data.node.status.consumed")).isEqualTo("0.000000000");
            assertThat(other.poll(java.time.Duration.ZERO)).isNull();
            assertThat(alertCount(neighbour)).isZero();
        }
    }

    @Test
    void estimatesInAnotherCurrencyAreConvertedAtTodaysRateAndBadCurrenciesAreRefused() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "cad-authorize", "UTC", "CAD");
        budget(tenant, BudgetIT.input("name", "Hard CAD", "metric", "COST", "period", "MONTH", "limit", "10", "enforcement", "HARD"));
        long organizationId = ((Number) rows.value("SELECT id FROM organization WHERE slug = 'cad-authorize'")).longValue();
        // Today (2026-11-25) uses Monday's rates, the last on or before it: 7 USD x 1.381409960270 = 9.669869722 CAD fits in 10.
        TestApi.Response fits = authorize(tenant, Map.of("cost", "7", "currency", "USD"));
        assertThat(fits.at("decision")).as(fits.body()).isEqualTo("ALLOW");
        assertThat(fits.at("budgets.0.requested")).isEqualTo(FxFixtures.converted(new BigDecimal("7"), "1.0823", "1.4951").toPlainString()).isEqualTo("9.669869722");
        // Without a currency the estimate is in the budget's own: 0.5 CAD more does not fit.
        TestApi.Response denied = authorize(tenant, Map.of("cost", "0.5"));
        assertThat(denied.at("decision")).as(denied.body()).isEqualTo("DENY");
        assertThat(denied.at("budgets.0.requested")).isEqualTo("0.5");
        long holds = rows.count("SELECT COUNT(*) FROM budget_reservation WHERE organization_id = ?", organizationId);
        assertThat(holds).isEqualTo(1);

        // Typed errors, and no hold: a code that is no currency, and one without any rate.
        TestApi.Response invalid = authorize(tenant, Map.of("cost", "1", "currency", "ZZZ"));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.at("errors.0.field")).isEqualTo("estimate.currency");
        assertThat(invalid.at("errors.0.code")).isEqualTo("INVALID");
        TestApi.Response noRate = authorize(tenant, Map.of("cost", "1", "currency", "SEK"));
        assertThat(noRate.status()).as(noRate.body()).isEqualTo(400);
        assertThat(noRate.at("errors.0.field")).isEqualTo("estimate.currency");
        assertThat(noRate.at("errors.0.code")).isEqualTo("NO_EXCHANGE_RATE");
        TestApi.Response graphql = api.graphql(tenant.adminToken(), "mutation($input: UsageAuthorizeInput!) { usageAuthorize(input: $input) { authorization { decision }"
                + " userErrors { field code } } }", Map.of("input", Map.of("provider", "openai", "model", "gpt-4", "estimate", Map.of("cost", "1", "currency", "SEK"))));
        assertThat(graphql.at("data.usageAuthorize.authorization")).as(graphql.body()).isNull();
        assertThat(graphql.at("data.usageAuthorize.userErrors")).isEqualTo(List.of(Map.of("field", List.of("input", "estimate", "currency"), "code", "NO_EXCHANGE_RATE")));
        assertThat(rows.count("SELECT COUNT(*) FROM budget_reservation WHERE organization_id = ?", organizationId)).isEqualTo(holds);
    }

    @Test
    void aCostBudgetInAnotherCurrencyThanTheBillingOneIsRefusedAndNotStored() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "cad-mismatch", "UTC", "CAD");
        long before = rows.count("SELECT COUNT(*) FROM budget");
        TestApi.Response refused = api.graphql(tenant.adminToken(), BudgetIT.CREATE,
                Map.of("input", BudgetIT.input("name", "USD spend", "metric", "COST", "period", "MONTH", "limit", "20", "currency", "USD")));
        assertThat(refused.at("data.budgetCreate.budget")).as(refused.body()).isNull();
        assertThat(refused.at("data.budgetCreate.userErrors.0.field")).isEqualTo(List.of("input", "currency"));
        assertThat(refused.at("data.budgetCreate.userErrors.0.code")).isEqualTo("CURRENCY_MISMATCH");
        assertThat(rows.count("SELECT COUNT(*) FROM budget")).isEqualTo(before);
        // Left out, the currency is the billing currency.
        String id = budget(tenant, BudgetIT.input("name", "Spend", "metric", "COST", "period", "MONTH", "limit", "20"));
        assertThat(status(tenant, id).at("data.node.currency")).isEqualTo("CAD");
    }

    private TestApi.Response authorize(Fixtures.Tenant tenant, Map<String, Object> estimate) {
        return api.post("/v1/authorize", tenant.apiKey(), "application/json", api.write(Map.of("provider", "openai", "model", "gpt-4", "estimate", estimate)));
    }
}
