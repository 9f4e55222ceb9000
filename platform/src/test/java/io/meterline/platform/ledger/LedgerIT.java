package io.meterline.platform.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Plans, the ledger, usage draw-down, plan periods, admin entries, the balance page and the low-balance alert. */
class LedgerIT extends ServerTest {

    private static final String ENABLE = "meterline.test.ledger";
    private static final String BALANCE = "query($org: ID) { balance(organizationId: $org) { current { amount currencyCode } state lowBalanceThreshold { amount }"
            + " totalPurchased { amount } totalSpent { amount } creditsUsed { amount } plan { name monthlyTokens } planTokensRemaining planTokensResetDate"
            + " topUpTokensAvailable creditsRemaining { amount } creditsResetDate otherCurrencyCharges { amount currencyCode } lastUpdatedAt"
            + " estimatedUsageRemaining { provider model meter unitPrice { amount currencyCode } per remaining } } }";
    private static final String ENTRY_CREATE = "mutation($input: LedgerEntryCreateInput!) { ledgerEntryCreate(input: $input) {"
            + " entry { id kind account amount currencyCode tokens reason createdBy description } balance { current { amount } topUpTokensAvailable planTokensRemaining }"
            + " userErrors { field message code } } }";
    private static final String PLAN_CREATE = "mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id name monthlyPrice { amount currencyCode }"
            + " monthlyTokens resetDay active freeBaseline } userErrors { field message code } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    AlertCollector alerts;

    Rows rows;
    String admin;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(ENABLE, "true");
        properties.put(MutableClock.ENABLE, "true");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        admin = api.adminToken();
    }

    /** Collects the alert requests the ledger publishes. */
    @Singleton
    @Requires(property = ENABLE)
    static class AlertCollector {
        final List<AlertRequest> received = new CopyOnWriteArrayList<>();

        @EventListener
        void on(AlertRequest request) {
            received.add(request);
        }
    }

    private Map<String, Object> data(String token, String query, Map<String, Object> variables) {
        TestApi.Response response = api.graphql(token, query, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) response.json();
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) data.get("data");
        return result;
    }

    private Map<String, Object> balance(String token, String organizationId) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("org", organizationId);
        @SuppressWarnings("unchecked")
        Map<String, Object> balance = (Map<String, Object>) data(token, BALANCE, variables).get("balance");
        return balance;
    }

    private TestApi.Response entry(String token, String organizationId, String kind, String account, String amount, String reason) {
        Map<String, Object> input = new HashMap<>();
        input.put("organizationId", organizationId);
        input.put("kind", kind);
        input.put("account", account);
        input.put("amount", amount);
        input.put("reason", reason);
        return api.graphql(token, ENTRY_CREATE, Map.of("input", input));
    }

    private void usage(Fixtures.Tenant tenant, String id, String provider, String model, Map<String, Object> meters) {
        Map<String, Object> event = Map.of("id", id, "timestamp", "2026-11-01T10:00:00Z", "provider", provider, "model", model, "meters", meters);
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private TestApi.Response batch(Fixtures.Tenant tenant, List<Map<String, Object>> events) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", events)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static Map<String, Object> event(String id, String provider, String model, Map<String, Object> meters) {
        return Map.of("id", id, "timestamp", "2026-11-01T10:00:00Z", "provider", provider, "model", model, "meters", meters);
    }

    private String createPlan(String name, String price, String currency, long tokens, int resetDay) {
        Map<String, Object> input = Map.of("name", name, "monthlyPrice", price, "currencyCode", currency, "monthlyTokens", tokens, "resetDay", resetDay);
        TestApi.Response response = api.graphql(admin, PLAN_CREATE, Map.of("input", input));
        assertThat(response.at("data.planCreate.userErrors")).as(response.body()).isEqualTo(List.of());
        return (String) response.at("data.planCreate.plan.id");
    }

    private void setPlan(String organizationId, String planId) {
        TestApi.Response response = api.graphql(admin, "mutation($input: OrganizationPlanSetInput!) { organizationPlanSet(input: $input) { balance { plan { name } }"
                + " userErrors { code } } }", Map.of("input", Map.of("organizationId", organizationId, "planId", planId)));
        assertThat(response.at("data.organizationPlanSet.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    private static long rowId(String organizationId) {
        return GlobalId.decode(organizationId).orElseThrow().id();
    }

    /** The stored totals equal the sums of the entries, read from the tables directly. */
    private void assertBalanceIsTheSumOfEntries(String organizationId) {
        long id = rowId(organizationId);
        BigDecimal credits = (BigDecimal) rows.value("SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entry e JOIN organization o ON o.id = e.organization_id"
                + " WHERE e.organization_id = ? AND e.account_kind = 'CREDITS' AND e.currency = o.billing_currency", id);
        assertThat(((BigDecimal) rows.value("SELECT credits FROM ledger_balance WHERE organization_id = ?", id))).isEqualByComparingTo(credits);
        for (String[] account : new String[][] {{"PLAN_TOKENS", "plan_tokens"}, {"TOPUP_TOKENS", "topup_tokens"}}) {
            BigDecimal sum = new BigDecimal(String.valueOf(rows.value("SELECT COALESCE(SUM(amount), 0) FROM ledger_entry WHERE organization_id = ? AND account_kind = ?",
                    id, account[0])));
            assertThat(rows.count("SELECT " + account[1] + " FROM ledger_balance WHERE organization_id = ?", id)).isEqualTo(sum.longValueExact());
        }
        Map<String, Object> balance = balance(admin, organizationId);
        assertThat(new BigDecimal((String) TestApi.at(balance, "current.amount"))).isEqualByComparingTo(credits);
    }

    @Test
    void plansAreManagedByPlatformAdminsAndBadInputStoresNothing() {
        String pro = createPlan("Pro", "29.00", "CAD", 1_000_000, 15);
        TestApi.Response list = api.graphql(admin, "{ plans { name monthlyPrice { amount currencyCode } monthlyTokens resetDay freeBaseline } }");
        assertThat(list.pluck("data.plans", "name")).contains("Free", "Pro");
        assertThat(list.body()).contains("\"currencyCode\":\"CAD\"");

        long plansBefore = rows.count("SELECT COUNT(*) FROM plan");
        Object[][] bad = {
                {Map.of("name", " ", "monthlyPrice", "1", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 1), "name", "BLANK"},
                {Map.of("name", "Pro", "monthlyPrice", "1", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 1), "name", "TAKEN"},
                {Map.of("name", "X".repeat(101), "monthlyPrice", "1", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 1), "name", "LENGTH"},
                {Map.of("name", "Neg", "monthlyPrice", "-1", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 1), "monthlyPrice", "OUT_OF_RANGE"},
                {Map.of("name", "Neg", "monthlyPrice", "1", "currencyCode", "USD", "monthlyTokens", -1, "resetDay", 1), "monthlyTokens", "OUT_OF_RANGE"},
                {Map.of("name", "Late", "monthlyPrice", "1", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 29), "resetDay", "OUT_OF_RANGE"},
                {Map.of("name", "Early", "monthlyPrice", "1", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 0), "resetDay", "OUT_OF_RANGE"},
        };
        for (Object[] attempt : bad) {
            TestApi.Response response = api.graphql(admin, PLAN_CREATE, Map.of("input", attempt[0]));
            assertThat(response.at("data.planCreate.plan")).as(response.body()).isNull();
            assertThat(response.at("data.planCreate.userErrors.0.field")).as(response.body()).isEqualTo(List.of("input", attempt[1]));
            assertThat(response.at("data.planCreate.userErrors.0.code")).as(response.body()).isEqualTo(attempt[2]);
        }
        assertThat(rows.count("SELECT COUNT(*) FROM plan")).isEqualTo(plansBefore);

        TestApi.Response update = api.graphql(admin, "mutation($input: PlanUpdateInput!) { planUpdate(input: $input) { plan { name monthlyTokens active } userErrors { code } } }",
                Map.of("input", Map.of("id", pro, "monthlyTokens", 2_000_000, "active", false)));
        assertThat(update.at("data.planUpdate.plan.monthlyTokens")).as(update.body()).isEqualTo(2_000_000);
        assertThat(api.graphql(admin, "{ plans { name } }").pluck("data.plans", "name")).doesNotContain("Pro");
        TestApi.Response badUpdate = api.graphql(admin, "mutation($input: PlanUpdateInput!) { planUpdate(input: $input) { plan { name } userErrors { field code } } }",
                Map.of("input", Map.of("id", pro, "resetDay", 31)));
        assertThat(badUpdate.at("data.planUpdate.userErrors.0.code")).isEqualTo("OUT_OF_RANGE");
        assertThat(rows.count("SELECT reset_day FROM plan WHERE name = 'Pro'")).isEqualTo(15);

        Fixtures.Tenant tenant = Fixtures.tenant(api, "plans-org", "UTC");
        TestApi.Response inactive = api.graphql(admin, "mutation($input: OrganizationPlanSetInput!) { organizationPlanSet(input: $input) { balance { plan { name } } userErrors { code } } }",
                Map.of("input", Map.of("organizationId", tenant.organizationId(), "planId", pro)));
        assertThat(inactive.at("data.organizationPlanSet.userErrors.0.code")).isEqualTo("INVALID_STATE");
        assertThat(TestApi.at(balance(tenant.memberToken(), null), "plan.name")).isEqualTo("Free");
        TestApi.Response forbidden = api.graphql(tenant.adminToken(), PLAN_CREATE,
                Map.of("input", Map.of("name", "Mine", "monthlyPrice", "0", "currencyCode", "USD", "monthlyTokens", 1, "resetDay", 1)));
        assertThat(forbidden.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
    }

    @Test
    void usageDrawsPlanTokensThenTopUpTokensThenCreditsInOneOrder() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "drawdown", "UTC");
        setPlan(tenant.organizationId(), createPlan("Starter", "10.00", "USD", 1000, 1));
        assertThat(entry(admin, tenant.organizationId(), "PURCHASE", "TOPUP_TOKENS", "500", "Top-up of 500 tokens").at("data.ledgerEntryCreate.userErrors")).isEqualTo(List.of());
        assertThat(entry(admin, tenant.organizationId(), "PURCHASE", "CREDITS", "10.00", "Stripe payment").at("data.ledgerEntryCreate.balance.current.amount"))
                .isEqualTo("10.000000000");

        // input_tokens (ai_data) first: 1000 from the plan, 200 from top-ups; output_tokens: 300 top-up, 500 charged (1.00/M: 0.0005 of 0.0008).
        usage(tenant, "chat-1", "openai", "generic", Map.of("input_tokens", 1200, "output_tokens", 800));
        usage(tenant, "img-1", "images", "dall-e-3", Map.of("images", 3));
        Map<String, Object> balance = balance(tenant.memberToken(), null);
        assertThat(TestApi.at(balance, "planTokensRemaining")).isEqualTo(0);
        assertThat(TestApi.at(balance, "topUpTokensAvailable")).isEqualTo(0);
        assertThat(TestApi.at(balance, "current.amount")).isEqualTo("9.999200000");
        assertThat(TestApi.at(balance, "totalPurchased.amount")).isEqualTo("10.000000000");
        assertThat(TestApi.at(balance, "totalSpent.amount")).isEqualTo("0.000800000");
        assertThat(TestApi.at(balance, "state")).isEqualTo("HEALTHY");
        assertThat(TestApi.at(balance, "plan.name")).isEqualTo("Starter");
        assertThat(TestApi.at(balance, "creditsResetDate")).isNull();
        assertThat(TestApi.at(balance, "planTokensResetDate")).isEqualTo("2026-12-01");
        assertThat(TestApi.at(balance, "lastUpdatedAt")).isNotNull();
        // 9.9992 / (0.60 / 1M) = 16,665,333.3 input tokens; 9.9992 / 0.0001 = 99,992 images.
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.0.remaining")).isEqualTo(16_665_333);
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.1.remaining")).isEqualTo(9_999_200);
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.3.meter")).isEqualTo("images");
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.3.remaining")).isEqualTo(99_992);

        TestApi.Response usageEntries = api.graphql(tenant.memberToken(), "{ ledgerEntries(kinds: [USAGE], first: 100) { totalCount nodes { kind account service amount"
                + " currencyCode tokens images eventCount usageEventId lastUsageEventId description } } }");
        assertThat(usageEntries.at("errors")).as(usageEntries.body()).isNull();
        assertThat(usageEntries.at("data.ledgerEntries.totalCount")).isEqualTo(5);
        List<Object> nodes = usageEntries.pluck("data.ledgerEntries", "nodes");
        assertThat(usageEntries.body())
                .contains("{\"kind\":\"USAGE\",\"account\":\"CREDITS\",\"service\":\"ai_images\",\"amount\":\"-0.000300000\",\"currencyCode\":\"USD\",\"tokens\":0,\"images\":3,\"eventCount\":1,\"usageEventId\":\"img-1\",\"lastUsageEventId\":\"img-1\",\"description\":\"ai_images usage on 2026-11-01\"")
                .contains("\"account\":\"PLAN_TOKENS\",\"service\":\"ai_data\",\"amount\":\"-1000\",\"currencyCode\":null,\"tokens\":1000")
                .contains("\"account\":\"TOPUP_TOKENS\",\"service\":\"ai_data\",\"amount\":\"-200\"")
                .contains("\"account\":\"TOPUP_TOKENS\",\"service\":\"ai_data_completion\",\"amount\":\"-300\"")
                .contains("\"account\":\"CREDITS\",\"service\":\"ai_data_completion\",\"amount\":\"-0.000500000\",\"currencyCode\":\"USD\",\"tokens\":500");
        assertThat(nodes).isNotNull();

        // Paging: newest first by date, cursors continue; the usage (of 2026-11-01) is dated before the purchases posted today.
        TestApi.Response page = api.graphql(tenant.adminToken(), "{ ledgerEntries(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { kind } } }");
        assertThat(page.at("data.ledgerEntries.nodes.0.kind")).isEqualTo("PURCHASE");
        String cursor = (String) page.at("data.ledgerEntries.pageInfo.endCursor");
        TestApi.Response rest = api.graphql(tenant.adminToken(), "query($after: String) { ledgerEntries(first: 100, after: $after) { nodes { kind } } }", Map.of("after", cursor));
        int total = ((Number) page.at("data.ledgerEntries.totalCount")).intValue();
        assertThat(rest.pluck("data.ledgerEntries.nodes", "kind")).hasSize(total - 2).contains("PLAN_ALLOWANCE").endsWith("USAGE", "USAGE", "USAGE", "USAGE", "USAGE");

        // A duplicate never draws twice.
        usage(tenant, "img-1", "images", "dall-e-3", Map.of("images", 3));
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE usage_event_id = 'img-1'")).isEqualTo(1);
        assertBalanceIsTheSumOfEntries(tenant.organizationId());
    }

    @Test
    void aBatchPostsOneUsageEntryPerDayAccountServiceAndCurrencyAndDuplicatesPostNothing() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "batches", "UTC");
        String org = tenant.organizationId();
        setPlan(org, createPlan("Batch 1000", "5.00", "USD", 1000, 1));
        entry(admin, org, "PURCHASE", "CREDITS", "1.00", "Card payment");
        long id = rowId(org);
        long before = rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", id);

        // In batch order, each event's meters in key order: chat-a draws 600 + 100 plan tokens, chat-b the last 300 and pays
        // 0.00036 x 300/600 for the rest of its input and 0.0001 for its output; chat-c pays 0.00006 + 0.0001; images 0.0001 each.
        List<Map<String, Object>> events = List.of(
                event("chat-a", "openai", "generic", Map.of("input_tokens", 600, "output_tokens", 100)),
                event("chat-b", "openai", "generic", Map.of("input_tokens", 600, "output_tokens", 100)),
                event("img-a", "images", "dall-e-3", Map.of("images", 2)),
                event("chat-c", "openai", "generic", Map.of("input_tokens", 100, "output_tokens", 100)),
                event("img-b", "images", "dall-e-3", Map.of("images", 1)));
        assertThat(batch(tenant, events).at("accepted")).isEqualTo(5);
        String query = "{ ledgerEntries(kinds: [USAGE], first: 100) { totalCount nodes { account service amount tokens images eventCount usageEventId"
                + " lastUsageEventId description } } }";
        TestApi.Response entries = api.graphql(tenant.memberToken(), query);
        assertThat(entries.at("errors")).as(entries.body()).isNull();
        // Five entries for five events (per-event posting made eight); newest first, so the batch's last-touched entry comes first.
        assertThat(entries.at("data.ledgerEntries.totalCount")).isEqualTo(5);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) entries.at("data.ledgerEntries.nodes");
        assertThat(nodes).extracting(node -> node.get("account") + " " + node.get("service") + " " + node.get("amount") + " " + node.get("tokens") + " "
                        + node.get("images") + " " + node.get("eventCount") + " " + node.get("usageEventId") + ".." + node.get("lastUsageEventId"))
                .containsExactly(
                        "CREDITS ai_images -0.000300000 0 3 2 img-a..img-b",
                        "CREDITS ai_data_completion -0.000200000 200 0 2 chat-b..chat-c",
                        "CREDITS ai_data -0.000240000 400 0 2 chat-b..chat-c",
                        "PLAN_TOKENS ai_data_completion -100 100 0 1 chat-a..chat-a",
                        "PLAN_TOKENS ai_data -900 900 0 2 chat-a..chat-b");
        assertThat(nodes.get(0).get("description")).isEqualTo("ai_images usage on 2026-11-01");
        assertThat(nodes.get(3).get("description")).isEqualTo("ai_data_completion usage on 2026-11-01, from plan tokens");
        Map<String, Object> balance = balance(tenant.memberToken(), null);
        assertThat(TestApi.at(balance, "current.amount")).isEqualTo("0.999260000");
        assertThat(TestApi.at(balance, "planTokensRemaining")).isEqualTo(0);
        assertThat(TestApi.at(balance, "totalSpent.amount")).isEqualTo("0.000740000");

        // The same batch again: every event is a duplicate and nothing is posted; a batch mixing one duplicate and one new
        // event posts the new one only, into the day's entry.
        TestApi.Response again = batch(tenant, events);
        assertThat(again.at("accepted")).isEqualTo(0);
        assertThat(again.at("duplicates")).isEqualTo(5);
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", id)).isEqualTo(before + 5);
        batch(tenant, List.of(events.get(0), event("chat-d", "openai", "generic", Map.of("output_tokens", 1000))));
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?", id)).isEqualTo(before + 5);
        assertThat(rows.value("SELECT last_usage_event_id FROM ledger_entry WHERE organization_id = ? AND account_kind = 'CREDITS' AND service = 'ai_data_completion'", id))
                .isEqualTo("chat-d");
        assertThat(rows.count("SELECT SUM(event_count) FROM ledger_entry WHERE organization_id = ? AND account_kind = 'CREDITS' AND service = 'ai_data_completion'", id))
                .isEqualTo(3);
        assertThat(TestApi.at(balance(tenant.memberToken(), null), "current.amount")).isEqualTo("0.998260000");
        assertBalanceIsTheSumOfEntries(org);
    }

    @Test
    void adminEntriesRefuseBadInputAndStoreNothing() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "entries", "UTC");
        String org = tenant.organizationId();
        assertThat(entry(admin, org, "GRANT", "TOPUP_TOKENS", "100", "Welcome gift").at("data.ledgerEntryCreate.entry.tokens")).isEqualTo(100);
        long before = rows.count("SELECT COUNT(*) FROM ledger_entry");
        Object[][] bad = {
                {"GRANT", "CREDITS", "0", "reason", "amount", "OUT_OF_RANGE"},
                {"GRANT", "CREDITS", "5", " ", "reason", "BLANK"},
                {"GRANT", "CREDITS", "5", "r".repeat(501), "reason", "LENGTH"},
                {"PURCHASE", "CREDITS", "-5", "refund?", "amount", "OUT_OF_RANGE"},
                {"GRANT", "TOPUP_TOKENS", "1.5", "half a token", "amount", "INVALID"},
                {"GRANT", "CREDITS", "0.0000000001", "too precise", "amount", "INVALID"},
                {"PURCHASE", "PLAN_TOKENS", "5", "plan tokens are not sold", "account", "INVALID"},
                {"ADJUSTMENT", "TOPUP_TOKENS", "-101", "too much taken", "amount", "OUT_OF_RANGE"},
                {"ADJUSTMENT", "PLAN_TOKENS", "-1", "nothing to take", "amount", "OUT_OF_RANGE"},
        };
        for (Object[] attempt : bad) {
            TestApi.Response response = entry(admin, org, (String) attempt[0], (String) attempt[1], (String) attempt[2], (String) attempt[3]);
            assertThat(response.at("data.ledgerEntryCreate.entry")).as(response.body()).isNull();
            assertThat(response.at("data.ledgerEntryCreate.userErrors.0.field")).as(response.body()).isEqualTo(List.of("input", attempt[4]));
            assertThat(response.at("data.ledgerEntryCreate.userErrors.0.code")).as(response.body()).isEqualTo(attempt[5]);
        }
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry")).isEqualTo(before);
        assertThat(entry(tenant.adminToken(), org, "GRANT", "CREDITS", "5", "self-service").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry")).isEqualTo(before);

        TestApi.Response adjusted = entry(admin, org, "ADJUSTMENT", "TOPUP_TOKENS", "-100", "Gift withdrawn");
        assertThat(adjusted.at("data.ledgerEntryCreate.entry.amount")).as(adjusted.body()).isEqualTo("-100");
        assertThat(adjusted.at("data.ledgerEntryCreate.entry.createdBy")).isEqualTo(TestApi.ADMIN_EMAIL);
        assertThat(adjusted.at("data.ledgerEntryCreate.entry.reason")).isEqualTo("Gift withdrawn");
        assertThat(adjusted.at("data.ledgerEntryCreate.balance.topUpTokensAvailable")).isEqualTo(0);
        entry(admin, org, "PURCHASE", "CREDITS", "20", "Card payment");
        entry(admin, org, "REFUND", "CREDITS", "0.25", "Outage credit");
        entry(admin, org, "ADJUSTMENT", "CREDITS", "-30", "Chargeback");
        usage(tenant, "e-1", "openai", "gpt-4o", Map.of("input_tokens", 1000, "output_tokens", 100));
        Map<String, Object> balance = balance(admin, org);
        // 20 + 0.25 - 30 - (0.0025 + 0.001) = -9.7535: negative adjustments may take credits below zero.
        assertThat(TestApi.at(balance, "current.amount")).isEqualTo("-9.753500000");
        assertThat(TestApi.at(balance, "state")).isEqualTo("LOW");
        assertThat(TestApi.at(balance, "creditsUsed.amount")).isEqualTo("-0.246500000");
        assertThat(TestApi.at(balance, "estimatedUsageRemaining.0.remaining")).isEqualTo(0);
        assertBalanceIsTheSumOfEntries(org);
    }

    @Test
    void thePlanAllowanceResetsOnceOnTheResetDayInTheOrganizationsZone() throws Exception {
        clock.set(Instant.parse("2026-11-10T12:00:00Z"));
        try {
            Fixtures.Tenant tenant = Fixtures.tenant(api, "resets", "America/Toronto");
            setPlan(tenant.organizationId(), createPlan("Monthly 15th", "29.00", "CAD", 5000, 15));
            usage(tenant, "r-1", "openai", "generic", Map.of("input_tokens", 1200));
            assertThat(TestApi.at(balance(admin, tenant.organizationId()), "planTokensRemaining")).isEqualTo(3800);
            assertThat(TestApi.at(balance(admin, tenant.organizationId()), "planTokensResetDate")).isEqualTo("2026-11-15");

            // 04:30 UTC on the 15th is still the 14th in Toronto: no reset yet.
            clock.set(Instant.parse("2026-11-15T04:30:00Z"));
            assertThat(TestApi.at(balance(admin, tenant.organizationId()), "planTokensRemaining")).isEqualTo(3800);

            clock.set(Instant.parse("2026-11-15T05:30:00Z"));
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    int index = i;
                    running.add(pool.submit(() -> {
                        if (index % 2 == 0) {
                            usage(tenant, "after-" + index, "openai", "generic", Map.of("input_tokens", 100));
                        }
                        else {
                            balance(tenant.memberToken(), null);
                        }
                    }));
                }
                for (Future<?> future : running) {
                    future.get();
                }
            }
            finally {
                pool.shutdown();
            }
            long id = rowId(tenant.organizationId());
            assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = 'PLAN_ALLOWANCE' AND allowance_period = DATE '2026-11-15'", id))
                    .isEqualTo(1);
            assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = 'PLAN_EXPIRY'", id)).isEqualTo(1);
            assertThat(new BigDecimal(String.valueOf(rows.value("SELECT amount FROM ledger_entry WHERE organization_id = ? AND kind = 'PLAN_EXPIRY'", id))))
                    .isEqualByComparingTo("-3800");
            Map<String, Object> balance = balance(admin, tenant.organizationId());
            assertThat(TestApi.at(balance, "planTokensRemaining")).isEqualTo(4700);
            assertThat(TestApi.at(balance, "planTokensResetDate")).isEqualTo("2026-12-15");
            assertBalanceIsTheSumOfEntries(tenant.organizationId());
        }
        finally {
            clock.set(Instant.parse("2026-11-10T12:00:00Z"));
        }
    }

    @Test
    void usageTakingCreditsBelowTheThresholdRaisesOneCriticalAlertPerCrossing() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "low-balance", "UTC");
        String org = tenant.organizationId();
        entry(admin, org, "PURCHASE", "CREDITS", "1.00015", "Small purchase");
        usage(tenant, "low-1", "images", "dall-e-3", Map.of("images", 1));
        assertThat(alerts.received.stream().filter(alert -> alert.organizationId() == rowId(org)).toList()).isEmpty();
        usage(tenant, "low-2", "images", "dall-e-3", Map.of("images", 1));
        usage(tenant, "low-3", "images", "dall-e-3", Map.of("images", 1));
        List<AlertRequest> raised = alerts.received.stream().filter(alert -> alert.organizationId() == rowId(org)).toList();
        assertThat(raised).hasSize(1);
        AlertRequest alert = raised.get(0);
        assertThat(alert.kind()).isEqualTo("BALANCE_LOW");
        assertThat(alert.level()).isEqualTo("CRITICAL");
        assertThat(alert.dedupeKey()).isEqualTo("balance-low:" + rowId(org) + ":1");
        assertThat(alert.data()).containsEntry("balance", "0.999950000").containsEntry("threshold", "1.000000000");
        assertThat(TestApi.at(balance(tenant.memberToken(), null), "state")).isEqualTo("LOW");

        // Back above the threshold, then below again: a second crossing, a second alert.
        entry(admin, org, "PURCHASE", "CREDITS", "0.0002", "Top-up");
        usage(tenant, "low-4", "images", "dall-e-3", Map.of("images", 2));
        assertThat(alerts.received.stream().filter(request -> request.organizationId() == rowId(org)).map(AlertRequest::dedupeKey).toList())
                .containsExactly("balance-low:" + rowId(org) + ":1", "balance-low:" + rowId(org) + ":2");

        // The threshold is the organization's to set; bad input stores nothing.
        String settings = "mutation($input: BalanceSettingsUpdateInput!) { balanceSettingsUpdate(input: $input) { balance { state lowBalanceThreshold { amount } }"
                + " userErrors { field code } } }";
        TestApi.Response negative = api.graphql(tenant.adminToken(), settings, Map.of("input", Map.of("lowBalanceThreshold", "-1")));
        assertThat(negative.at("data.balanceSettingsUpdate.userErrors.0.code")).as(negative.body()).isEqualTo("OUT_OF_RANGE");
        assertThat(api.graphql(tenant.memberToken(), settings, Map.of("input", Map.of("lowBalanceThreshold", "0.5"))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(new BigDecimal(String.valueOf(rows.value("SELECT low_threshold FROM ledger_balance WHERE organization_id = ?", rowId(org))))).isEqualByComparingTo("1");
        TestApi.Response lowered = api.graphql(tenant.adminToken(), settings, Map.of("input", Map.of("lowBalanceThreshold", "0.5")));
        assertThat(lowered.at("data.balanceSettingsUpdate.balance.state")).as(lowered.body()).isEqualTo("HEALTHY");
        assertThat(lowered.at("data.balanceSettingsUpdate.balance.lowBalanceThreshold.amount")).isEqualTo("0.500000000");
        assertBalanceIsTheSumOfEntries(org);
    }
}
