package io.meterline.platform.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Budgets through GraphQL: creation and its refusals, status, colour bands, counting recorded usage and threshold alerts. */
class BudgetIT extends ServerTest {

    static final String CREATE = "mutation($input: BudgetCreateInput!) { budgetCreate(input: $input) { budget { id name metric scope scopeKey period limit"
            + " thresholds enforcement type currency archived status { consumed limit remaining reserved percent band periodStart resetsAt } }"
            + " userErrors { field message code } } }";
    static final String STATUS = "query($id: ID!) { node(id: $id) { ... on Budget { status { consumed cost { amount currencyCode } limit remaining reserved percent band periodStart resetsAt } } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    AlertCollector alerts;

    Rows rows;
    Fixtures.Tenant tenant;
    private final AtomicInteger eventIds = new AtomicInteger();

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "budgets", "Asia/Kolkata");
    }

    static Map<String, Object> input(Object... pairs) {
        Map<String, Object> input = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            input.put((String) pairs[i], pairs[i + 1]);
        }
        return input;
    }

    TestApi.Response create(Fixtures.Tenant owner, Map<String, Object> input) {
        return api.graphql(owner.adminToken(), CREATE, Map.of("input", input));
    }

    String createId(Fixtures.Tenant owner, Map<String, Object> input) {
        TestApi.Response response = create(owner, input);
        String id = (String) response.at("data.budgetCreate.budget.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    TestApi.Response status(Fixtures.Tenant owner, String id) {
        return api.graphql(owner.adminToken(), STATUS, Map.of("id", id));
    }

    /** Records events now with the given meters and dimensions. */
    void record(Fixtures.Tenant owner, int count, String provider, String model, Map<String, Object> meters, Map<String, Object> dimensions) {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> event = new HashMap<>();
            event.put("id", "budget-event-" + eventIds.incrementAndGet());
            event.put("timestamp", Instant.now().minusSeconds(1).toString());
            event.put("provider", provider);
            event.put("model", model);
            event.put("meters", meters);
            event.put("dimensions", dimensions);
            events.add(event);
        }
        TestApi.Response response = api.usage(owner.apiKey(), api.write(Map.of("events", events)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void aDailyTokenBudgetCountsTokensOfEveryProviderInTheOrganizationsDay() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "budget-day", "Asia/Kolkata");
        TestApi.Response created = create(owner, input("name", "Today", "metric", "TOKENS", "period", "DAY", "limit", "1000"));
        assertThat(created.at("data.budgetCreate.userErrors")).isEqualTo(List.of());
        assertThat(created.at("data.budgetCreate.budget.thresholds")).isEqualTo(List.of(80));
        assertThat(created.at("data.budgetCreate.budget.enforcement")).isEqualTo("SOFT");
        assertThat(created.at("data.budgetCreate.budget.type")).isEqualTo("SUBSCRIPTION");
        assertThat(created.at("data.budgetCreate.budget.scope")).isEqualTo("ORGANIZATION");
        String id = (String) created.at("data.budgetCreate.budget.id");

        record(owner, 1, "openai", "gpt-4o", Map.of("input_tokens", 500, "cached_tokens", 100, "output_tokens", 100), Map.of());
        record(owner, 1, "images", "dall-e-3", Map.of("images", 2), Map.of());

        // Usage of a day that is over counts in summaries, not in today's budget.
        String late = "{\"events\":[{\"id\":\"late-1\",\"timestamp\":\"" + Instant.now().minus(3, ChronoUnit.DAYS) + "\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":900}}]}";
        assertThat(api.usage(owner.apiKey(), late).status()).isEqualTo(200);

        TestApi.Response status = status(owner, id);
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        LocalDate today = LocalDate.now(kolkata);
        assertThat(status.at("data.node.status.consumed")).isEqualTo("700.000000000");
        assertThat(status.at("data.node.status.limit")).isEqualTo("1000.000000000");
        assertThat(status.at("data.node.status.remaining")).isEqualTo("300.000000000");
        assertThat(status.at("data.node.status.reserved")).isEqualTo("0.000000000");
        assertThat(status.at("data.node.status.percent")).isEqualTo("70.00");
        assertThat(status.at("data.node.status.band")).isEqualTo("yellow");
        assertThat(Instant.parse((String) status.at("data.node.status.periodStart"))).isEqualTo(today.atStartOfDay(kolkata).toInstant());
        assertThat(Instant.parse((String) status.at("data.node.status.resetsAt"))).isEqualTo(today.plusDays(1).atStartOfDay(kolkata).toInstant());

        // Budget against actual: periods step back a local day at a time, never before the budget was created.
        String history = "query($id: ID!, $periods: Int) { node(id: $id) { ... on Budget { history(periods: $periods) { start end limit consumed } } } }";
        assertThat(api.graphql(owner.adminToken(), history, Map.of("id", id, "periods", 3)).pluck("data.node.history", "consumed")).containsExactly("700.000000000");
        long budgetRow = io.meterline.platform.common.GlobalId.decode(id).orElseThrow().id();
        rows.execute("UPDATE budget SET created_at = ? WHERE id = ?", java.sql.Timestamp.valueOf(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).minusDays(5)), budgetRow);
        rows.execute("INSERT INTO budget_counter (budget_id, period_start, consumed) VALUES (?, ?, 123)", budgetRow,
                java.sql.Timestamp.valueOf(java.time.LocalDateTime.ofInstant(today.minusDays(1).atStartOfDay(kolkata).toInstant(), java.time.ZoneOffset.UTC)));
        TestApi.Response periods = api.graphql(owner.adminToken(), history, Map.of("id", id, "periods", 3));
        assertThat(periods.pluck("data.node.history", "consumed")).containsExactly("700.000000000", "123.000000000", "0.000000000");
        assertThat(Instant.parse((String) periods.pluck("data.node.history", "start").get(2))).isEqualTo(today.minusDays(2).atStartOfDay(kolkata).toInstant());
        assertThat(api.graphql(owner.adminToken(), history, Map.of("id", id, "periods", 37)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void scopedBudgetsCountOnlyTheirDimensionKeyAndCurrency() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "budget-scope", "UTC");
        String team = createId(owner, input("name", "Support team", "metric", "REQUESTS", "period", "MONTH", "scope", "TEAM", "scopeKey", "support", "limit", "100"));
        String key = createId(owner, input("name", "Gateway key", "metric", "REQUESTS", "period", "WEEK", "scope", "API_KEY", "scopeKey", owner.apiKeyId(), "limit", "100"));
        String account = createId(owner, input("name", "Bay 1", "metric", "TOKENS", "period", "DAY", "scope", "ACCOUNT_ID", "scopeKey", "BAY-01", "limit", "100"));
        String cost = createId(owner, input("name", "Spend", "metric", "COST", "period", "MONTH", "limit", "500"));
        String characters = createId(owner, input("name", "Voice", "metric", "METER_UNITS", "provider", "elevenlabs", "meter", "characters", "period", "MONTH", "limit", "10000"));

        record(owner, 2, "openai", "gpt-4", Map.of("input_tokens", 1000, "output_tokens", 500), Map.of("team", "support", "account_id", "BAY-01"));
        record(owner, 1, "openai", "gpt-4", Map.of("input_tokens", 1000), Map.of("team", "sales"));
        record(owner, 1, "flat-token", "flat", Map.of("tokens", 10), Map.of("team", "support"));
        record(owner, 1, "elevenlabs", "eleven_multilingual_v2", Map.of("characters", 1200), Map.of());

        assertThat(status(owner, team).at("data.node.status.consumed")).isEqualTo("3.000000000");
        assertThat(status(owner, key).at("data.node.status.consumed")).isEqualTo("5.000000000");
        assertThat(status(owner, account).at("data.node.status.consumed")).isEqualTo("3000.000000000");
        // Two GPT-4 calls at 0.06 and one at 0.03 USD, 1,200 ElevenLabs characters at 0.036 USD; the flat-token provider
        // prices in EUR and counts its figure in the billing currency: 0.0002 EUR x 1.1476 (the bundled file's last rate).
        TestApi.Response spend = status(owner, cost);
        assertThat(spend.at("data.node.status.consumed")).isEqualTo("0.186229520");
        assertThat(spend.at("data.node.status.cost")).isEqualTo(Map.of("amount", "0.186229520", "currencyCode", "USD"));
        assertThat(status(owner, characters).at("data.node.status.consumed")).isEqualTo("1200.000000000");
        TestApi.Response listed = api.graphql(owner.memberToken(), "{ budgets(scope: API_KEY) { totalCount nodes { name scopeKey currency } } }");
        assertThat(listed.at("data.budgets.totalCount")).isEqualTo(1);
        assertThat(listed.at("data.budgets.nodes.0.scopeKey")).isEqualTo(owner.apiKeyId());
        assertThat(api.graphql(owner.memberToken(), "{ budgets(first: 2) { totalCount pageInfo { hasNextPage } nodes { currency } } }").at("data.budgets.totalCount"))
                .isEqualTo(5);
        assertThat(api.graphql(owner.memberToken(), "{ budgets(scope: ORGANIZATION) { nodes { currency } } }").at("data.budgets.nodes.0.currency")).isEqualTo("USD");
    }

    @Test
    void badInputIsRefusedWithTypedErrorsAndStoresNothing() {
        Fixtures.Tenant other = Fixtures.tenant(api, "budget-other", "UTC");
        long before = rows.count("SELECT COUNT(*) FROM budget");
        Object[][] inputs = {
            {"limit", "OUT_OF_RANGE", input("name", "x", "metric", "TOKENS", "period", "DAY", "limit", "-1")},
            {"limit", "OUT_OF_RANGE", input("name", "x", "metric", "TOKENS", "period", "DAY", "limit", "0")},
            {"limit", "OUT_OF_RANGE", input("name", "x", "metric", "COST", "period", "DAY", "limit", "1000000000.01")},
            {"limit", "OUT_OF_RANGE", input("name", "x", "metric", "TOKENS", "period", "DAY", "limit", "0.0000000001")},
            {"thresholds", "OUT_OF_RANGE", input("name", "x", "metric", "TOKENS", "period", "DAY", "thresholds", List.of(0, 50))},
            {"thresholds", "OUT_OF_RANGE", input("name", "x", "metric", "TOKENS", "period", "DAY", "thresholds", List.of(50, 101))},
            {"thresholds", "INVALID", input("name", "x", "metric", "TOKENS", "period", "DAY", "thresholds", List.of(90, 75))},
            {"thresholds", "INVALID", input("name", "x", "metric", "TOKENS", "period", "DAY", "thresholds", List.of(75, 75))},
            {"scopeKey", "NOT_FOUND", input("name", "x", "metric", "TOKENS", "period", "DAY", "scope", "API_KEY", "scopeKey", other.apiKeyId())},
            {"scopeKey", "NOT_FOUND", input("name", "x", "metric", "TOKENS", "period", "DAY", "scope", "API_KEY", "scopeKey", "not-an-id")},
            {"scopeKey", "BLANK", input("name", "x", "metric", "TOKENS", "period", "DAY", "scope", "TEAM")},
            {"meter", "NOT_FOUND", input("name", "x", "metric", "METER_UNITS", "provider", "openai", "meter", "characters", "period", "DAY")},
            {"provider", "NOT_FOUND", input("name", "x", "metric", "METER_UNITS", "provider", "nope", "meter", "tokens", "period", "DAY")},
            {"provider", "BLANK", input("name", "x", "metric", "METER_UNITS", "period", "DAY")},
            {"meter", "INVALID", input("name", "x", "metric", "TOKENS", "meter", "input_tokens", "period", "DAY")},
            {"name", "BLANK", input("name", " ", "metric", "TOKENS", "period", "DAY")},
            {"currency", "INVALID", input("name", "x", "metric", "TOKENS", "period", "DAY", "currency", "EUR")},
            // One currency per organization: a cost budget counts in the billing currency (USD here).
            {"currency", "CURRENCY_MISMATCH", input("name", "x", "metric", "COST", "period", "DAY", "limit", "5", "currency", "EUR")},
        };
        for (Object[] bad : inputs) {
            TestApi.Response response = create(tenant, (Map<String, Object>) bad[2]);
            assertThat(response.at("data.budgetCreate.budget")).as(response.body()).isNull();
            assertThat(response.at("data.budgetCreate.userErrors.0.field")).as(response.body()).isEqualTo(List.of("input", bad[0]));
            assertThat(response.at("data.budgetCreate.userErrors.0.code")).as(response.body()).isEqualTo(bad[1]);
        }
        assertThat(rows.count("SELECT COUNT(*) FROM budget")).isEqualTo(before);

        String id = createId(tenant, input("name", "Updatable", "metric", "TOKENS", "period", "DAY", "limit", "10"));
        TestApi.Response refused = api.graphql(tenant.adminToken(), "mutation($input: BudgetUpdateInput!) { budgetUpdate(input: $input) { budget { id } userErrors { field code } } }",
                Map.of("input", Map.of("id", id, "limit", "-5", "thresholds", List.of(80, 70))));
        assertThat(refused.pluck("data.budgetUpdate.userErrors", "code")).containsExactly("OUT_OF_RANGE", "INVALID");
        assertThat(rows.value("SELECT limit_amount FROM budget WHERE id = ?", GlobalId.decode(id).orElseThrow().id()).toString()).isEqualTo("10.000000000");

        TestApi.Response forbidden = api.graphql(tenant.memberToken(), CREATE, Map.of("input", input("name", "x", "metric", "TOKENS", "period", "DAY")));
        assertThat(forbidden.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response memberArchive = api.graphql(tenant.memberToken(), "mutation { budgetArchive(input: {id: \"" + id + "\"}) { budget { archived } } }");
        assertThat(memberArchive.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM budget WHERE archived = TRUE AND id = ?", GlobalId.decode(id).orElseThrow().id())).isZero();
    }

    @Test
    void updateAndArchive() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "budget-update", "UTC");
        String id = createId(owner, input("name", "Month", "metric", "REQUESTS", "period", "MONTH", "limit", "10"));
        TestApi.Response updated = api.graphql(owner.adminToken(), "mutation($input: BudgetUpdateInput!) { budgetUpdate(input: $input) {"
                + " budget { name limit thresholds enforcement status { limit percent } } userErrors { code } } }",
                Map.of("input", Map.of("id", id, "name", "Monthly calls", "unlimited", true, "thresholds", List.of(50, 90), "enforcement", "HARD")));
        assertThat(updated.at("data.budgetUpdate.budget.name")).isEqualTo("Monthly calls");
        assertThat(updated.at("data.budgetUpdate.budget.limit")).isNull();
        assertThat(updated.at("data.budgetUpdate.budget.thresholds")).isEqualTo(List.of(50, 90));
        assertThat(updated.at("data.budgetUpdate.budget.status.percent")).isNull();
        TestApi.Response archived = api.graphql(owner.adminToken(), "mutation { budgetArchive(input: {id: \"" + id + "\"}) { budget { archived } userErrors { code } } }");
        assertThat(archived.at("data.budgetArchive.budget.archived")).isEqualTo(true);
        record(owner, 1, "openai", "gpt-4o", Map.of("input_tokens", 1), Map.of());
        assertThat(rows.count("SELECT COUNT(*) FROM budget_counter WHERE budget_id = ?", GlobalId.decode(id).orElseThrow().id())).isZero();
        assertThat(api.graphql(owner.adminToken(), "{ budgets { totalCount } }").at("data.budgets.totalCount")).isEqualTo(0);
        assertThat(api.graphql(owner.adminToken(), "{ budgets(includeArchived: true) { totalCount } }").at("data.budgets.totalCount")).isEqualTo(1);
        TestApi.Response again = api.graphql(owner.adminToken(), "mutation { budgetArchive(input: {id: \"" + id + "\"}) { budget { archived } userErrors { code } } }");
        assertThat(again.at("data.budgetArchive.userErrors.0.code")).isEqualTo("INVALID_STATE");
    }

    @Test
    void colourBandsAreConfigurablePerOrganization() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "budget-bands", "UTC");
        assertThat(api.graphql(owner.memberToken(), "{ budgetBands { name fromPercent } }").pluck("data.budgetBands", "name"))
                .containsExactly("green", "yellow", "red");
        String id = createId(owner, input("name", "Quota", "metric", "REQUESTS", "period", "MONTH", "limit", "100"));
        record(owner, 85, "images", "dall-e-3", Map.of("images", 1), Map.of());
        assertThat(status(owner, id).at("data.node.status.band")).isEqualTo("yellow");
        String update = "mutation($input: BudgetBandsUpdateInput!) { budgetBandsUpdate(input: $input) { bands { name fromPercent } userErrors { field code } } }";
        List<Map<String, Object>> seed003 = List.of(Map.of("name", "green", "fromPercent", 0), Map.of("name", "yellow", "fromPercent", 60),
                Map.of("name", "orange", "fromPercent", 80), Map.of("name", "red", "fromPercent", 90));
        TestApi.Response updated = api.graphql(owner.adminToken(), update, Map.of("input", Map.of("bands", seed003)));
        assertThat(updated.pluck("data.budgetBandsUpdate.bands", "name")).containsExactly("green", "yellow", "orange", "red");
        assertThat(status(owner, id).at("data.node.status.band")).isEqualTo("orange");

        TestApi.Response unsorted = api.graphql(owner.adminToken(), update, Map.of("input", Map.of("bands",
                List.of(Map.of("name", "a", "fromPercent", 0), Map.of("name", "b", "fromPercent", 50), Map.of("name", "c", "fromPercent", 40)))));
        assertThat(unsorted.at("data.budgetBandsUpdate.userErrors.0.code")).isEqualTo("OUT_OF_RANGE");
        TestApi.Response notFromZero = api.graphql(owner.adminToken(), update, Map.of("input", Map.of("bands", List.of(Map.of("name", "a", "fromPercent", 10)))));
        assertThat(notFromZero.at("data.budgetBandsUpdate.userErrors.0.code")).isEqualTo("INVALID");
        assertThat(api.graphql(owner.memberToken(), update, Map.of("input", Map.of("bands", seed003))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(owner.memberToken(), "{ budgetBands { name } }").pluck("data.budgetBands", "name")).containsExactly("green", "yellow", "orange", "red");
    }

    @Test
    void theSeedsBudgetsAndQuotasCanBeExpressed() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "budget-seeds", "Europe/Berlin");
        // Seed 002: the Today / This month / Total cards, the total one unlimited.
        createId(owner, input("name", "Today", "metric", "TOKENS", "period", "DAY", "limit", "100000"));
        createId(owner, input("name", "This month", "metric", "TOKENS", "period", "MONTH", "limit", "2000000", "type", "SUBSCRIPTION"));
        String total = createId(owner, input("name", "Total", "metric", "TOKENS", "period", "TOTAL", "type", "ONE_TIME"));
        // Seed 003: 1M OpenAI tokens a month, 500 max cost a month, 100 requests a minute, alert at 80 %.
        createId(owner, input("name", "OpenAI tokens", "metric", "TOKENS", "provider", "openai", "period", "MONTH", "limit", "1000000", "thresholds", List.of(80)));
        createId(owner, input("name", "Max cost", "metric", "COST", "period", "MONTH", "limit", "500", "currency", "USD"));
        String perMinute = createId(owner, input("name", "Rate", "metric", "REQUESTS", "period", "MINUTE", "limit", "100", "enforcement", "HARD"));
        // Seed 004: per-member budgets with alert levels 75 / 90 / 95.
        createId(owner, input("name", "Ana", "metric", "COST", "period", "MONTH", "scope", "MEMBER", "scopeKey", "ana", "limit", "50", "thresholds", List.of(75, 90, 95)));
        createId(owner, input("name", "Helpdesk", "metric", "TOKENS", "period", "WEEK", "scope", "PROJECT", "scopeKey", "helpdesk", "limit", "50000"));
        createId(owner, input("name", "Ops", "metric", "TOKENS", "period", "MONTH", "scope", "DEPARTMENT", "scopeKey", "ops", "limit", "50000"));

        record(owner, 1, "anthropic", "claude-3-5-sonnet", Map.of("input_tokens", 40, "output_tokens", 2), Map.of());
        TestApi.Response cards = api.graphql(owner.memberToken(), "{ budgets(first: 3) { nodes { name period type status { consumed limit percent resetsAt } } } }");
        assertThat(cards.pluck("data.budgets.nodes", "name")).containsExactly("Today", "This month", "Total");
        assertThat(cards.at("data.budgets.nodes.2.status.limit")).isNull();
        assertThat(cards.at("data.budgets.nodes.2.status.resetsAt")).isNull();
        assertThat(cards.at("data.budgets.nodes.2.status.consumed")).isEqualTo("42.000000000");
        assertThat(cards.at("data.budgets.nodes.0.status.consumed")).isEqualTo("42.000000000");
        assertThat(status(owner, total).at("data.node.status.consumed")).isEqualTo("42.000000000");
        TestApi.Response minute = status(owner, perMinute);
        Instant start = Instant.parse((String) minute.at("data.node.status.periodStart"));
        assertThat(Instant.parse((String) minute.at("data.node.status.resetsAt"))).isEqualTo(start.plus(1, ChronoUnit.MINUTES));
        assertThat(api.graphql(owner.memberToken(), "{ budgets(first: 100) { totalCount } }").at("data.budgets.totalCount")).isEqualTo(9);
    }

    @Test
    void crossingThresholdsPublishesEachAlertOnce() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "budget-alerts", "UTC");
        String id = createId(owner, input("name", "Calls", "metric", "REQUESTS", "period", "DAY", "limit", "10", "thresholds", List.of(75, 90, 95)));
        long rowId = GlobalId.decode(id).orElseThrow().id();
        long organizationId = GlobalId.decode(owner.organizationId()).orElseThrow().id();
        record(owner, 7, "images", "dall-e-3", Map.of("images", 1), Map.of());
        assertThat(alerts.forOrganization(organizationId)).isEmpty();
        record(owner, 1, "images", "dall-e-3", Map.of("images", 1), Map.of());
        String day = LocalDate.now(ZoneId.of("UTC")).toString();
        assertThat(alerts.forOrganization(organizationId)).extracting(AlertRequest::dedupeKey).containsExactly("budget:" + rowId + ":" + day + ":75");
        assertThat(alerts.forOrganization(organizationId).get(0).level()).isEqualTo("WARNING");
        record(owner, 1, "images", "dall-e-3", Map.of("images", 1), Map.of());
        record(owner, 3, "images", "dall-e-3", Map.of("images", 1), Map.of());
        List<AlertRequest> published = alerts.forOrganization(organizationId);
        assertThat(published).extracting(AlertRequest::dedupeKey).containsExactly("budget:" + rowId + ":" + day + ":75", "budget:" + rowId + ":" + day + ":90",
                "budget:" + rowId + ":" + day + ":95", "budget:" + rowId + ":" + day + ":100");
        assertThat(published).extracting(AlertRequest::level).containsExactly("WARNING", "CAUTION", "CRITICAL", "EXCEEDED");
        AlertRequest exceeded = published.get(3);
        assertThat(exceeded.kind()).isEqualTo("BUDGET_THRESHOLD");
        assertThat(exceeded.data()).containsEntry("budgetId", id).containsEntry("name", "Calls").containsEntry("scope", "ORGANIZATION")
                .containsEntry("period", "DAY").containsEntry("limit", "10.000000000").containsEntry("consumed", "12.000000000").containsEntry("percent", "120.00")
                .containsKey("resetsAt");
        // An unlimited budget never alerts.
        createId(owner, input("name", "Unlimited", "metric", "REQUESTS", "period", "DAY"));
        record(owner, 1, "images", "dall-e-3", Map.of("images", 1), Map.of());
        assertThat(alerts.forOrganization(organizationId)).hasSize(4);
    }
}
