package io.meterline.platform.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.FxFixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cost centers, allocation rules and the cost-allocation report through the public API on the real database.
 *
 * <p>Usage is flat-token (0.00002 EUR a token: 500 tokens are one euro cent), in March 2023. Northwind (EUR, UTC) has
 * cost centers ALPHA, BRAVO, CHARLIE and OPS, and rules ACCOUNT_ID acc-7 → OPS; PROJECT apollo → ALPHA 33.33, BRAVO 33.33,
 * CHARLIE 33.34; TEAM search → ALPHA 50, BRAVO 50; DEPARTMENT rnd → CHARLIE. Its events:
 * <pre>
 *   e1 acc-7, apollo, search, rnd   100,000 tokens  2.00  → OPS (the Account ID's rule comes first)
 *   e2 apollo, search                   500 tokens  0.01  → thirds: 0.003333 / 0.003333 / 0.003334
 *   e3 search, rnd                   50,000 tokens  1.00  → ALPHA, BRAVO 0.50 each (the team's rule before the department's)
 *   e4 rnd                             1,500 tokens  0.03  → CHARLIE
 *   e5 acc-9, team other               2,000 tokens  0.04  → unallocated (no rule names either)
 *   e6 no dimension                    1,000 tokens  0.02  → unallocated
 * </pre>
 */
class AllocationIT extends ServerTest {

    private static final String MONEY = "{ amount currencyCode }";
    private static final String LINE = "{ costCenter { code } cost " + MONEY + " originalCost " + MONEY + " tokens requests }";
    private static final String REPORT = "query($range: DateRangeInput, $org: ID) { costAllocation(range: $range, organizationId: $org) { from to timeZone"
            + " costCenters " + LINE + " unallocated " + LINE + " total " + LINE + " } }";
    private static final String CREATE = "mutation($input: CostCenterCreateInput!) { costCenterCreate(input: $input) { costCenter { id code name archived }"
            + " userErrors { field code message } } }";
    private static final String UPDATE = "mutation($input: CostCenterUpdateInput!) { costCenterUpdate(input: $input) { costCenter { id code name }"
            + " userErrors { field code } } }";
    private static final String ARCHIVE = "mutation($input: CostCenterArchiveInput!) { costCenterArchive(input: $input) { costCenter { archived }"
            + " userErrors { field code } } }";
    private static final String SET_RULE = "mutation($input: AllocationRuleSetInput!) { allocationRuleSet(input: $input) { allocationRule { id dimension value"
            + " splits { costCenter { code } percent } } userErrors { field code message } } }";
    private static final String DELETE_RULE = "mutation($input: AllocationRuleDeleteInput!) { allocationRuleDelete(input: $input) { allocationRule { id }"
            + " userErrors { code } } }";
    private static final Map<String, Object> MARCH = Map.of("from", "2023-03-01", "to", "2023-03-31");

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    StatementCounter statements;

    Rows rows;
    Fixtures.Tenant northwind;
    Fixtures.Tenant other;
    final Map<String, String> costCenters = new HashMap<>();
    String apolloRule;
    String otherCostCenter;
    String otherRule;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put(StatementCounter.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        clock.set(Instant.parse("2023-03-20T12:00:00Z"));
        northwind = Fixtures.tenant(api, "alloc-northwind", "UTC", "EUR");
        other = Fixtures.tenant(api, "alloc-other", "UTC", "EUR");
        for (String code : List.of("OPS", "CHARLIE", "ALPHA", "BRAVO")) {
            costCenters.put(code, createCostCenter(northwind, code, "Cost center " + code));
        }
        setRule(northwind, "ACCOUNT_ID", "acc-7", split("OPS", "100"));
        apolloRule = setRule(northwind, "PROJECT", "apollo", split("ALPHA", "33.33"), split("BRAVO", "33.33"), split("CHARLIE", "33.34"));
        setRule(northwind, "TEAM", "search", split("ALPHA", "50"), split("BRAVO", "50.00"));
        setRule(northwind, "DEPARTMENT", "rnd", split("CHARLIE", "100"));
        otherCostCenter = createCostCenter(other, "OPS", "Other's operations");
        otherRule = setRule(other, "TEAM", "search", Map.of("costCenterId", otherCostCenter, "percent", "100"));
        send(northwind,
                flat("e1", "2023-03-06T10:00:00Z", 100_000, Map.of("account_id", "acc-7", "project", "apollo", "team", "search", "department", "rnd")),
                flat("e2", "2023-03-07T10:00:00Z", 500, Map.of("project", "apollo", "team", "search")),
                flat("e3", "2023-03-08T10:00:00Z", 50_000, Map.of("team", "search", "department", "rnd")),
                flat("e4", "2023-03-09T10:00:00Z", 1_500, Map.of("department", "rnd")),
                flat("e5", "2023-03-10T10:00:00Z", 2_000, Map.of("account_id", "acc-9", "team", "other")),
                flat("e6", "2023-03-11T10:00:00Z", 1_000, Map.of()));
        send(other, flat("o1", "2023-03-06T10:00:00Z", 7_000, Map.of("team", "search")));
        roller.rollAll();
    }

    private String createCostCenter(Fixtures.Tenant tenant, String code, String name) {
        TestApi.Response response = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("code", code, "name", name)));
        assertThat(response.at("data.costCenterCreate.userErrors")).as(response.body()).isEqualTo(List.of());
        return (String) response.at("data.costCenterCreate.costCenter.id");
    }

    private Map<String, Object> split(String code, String percent) {
        return Map.of("costCenterId", costCenters.get(code), "percent", percent);
    }

    @SafeVarargs
    private String setRule(Fixtures.Tenant tenant, String dimension, String value, Map<String, Object>... splits) {
        TestApi.Response response = api.graphql(tenant.adminToken(), SET_RULE, Map.of("input", Map.of("dimension", dimension, "value", value,
                "splits", List.of(splits))));
        assertThat(response.at("data.allocationRuleSet.userErrors")).as(response.body()).isEqualTo(List.of());
        return (String) response.at("data.allocationRuleSet.allocationRule.id");
    }

    private static Map<String, Object> flat(String id, String timestamp, int tokens, Map<String, String> dimensions) {
        return Map.of("id", id, "timestamp", timestamp, "provider", "flat-token", "model", "any", "meters", Map.of("tokens", tokens), "dimensions", dimensions);
    }

    private void send(Fixtures.Tenant tenant, Object... events) {
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(events))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private TestApi.Response report(String token, Map<String, Object> range) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("range", range);
        TestApi.Response response = api.graphql(token, REPORT, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return response;
    }

    private static Map<String, Object> line(String code, String cost, String tokens, int requests) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("costCenter", code == null ? null : Map.of("code", code));
        line.put("cost", Map.of("amount", cost, "currencyCode", "EUR"));
        line.put("originalCost", cost.matches("0\\.0+") ? List.of() : List.of(Map.of("amount", cost, "currencyCode", "EUR")));
        line.put("tokens", tokens);
        line.put("requests", requests);
        return line;
    }

    @Test
    void eachEventGoesByItsFirstRuleInPrecedenceAndTheLinesAddUpExactlyToTheUsageTotal() {
        TestApi.Response report = report(northwind.memberToken(), MARCH);
        assertThat(report.at("data.costAllocation.from")).isEqualTo("2023-03-01");
        assertThat(report.at("data.costAllocation.timeZone")).isEqualTo("UTC");
        // Cost: ALPHA and BRAVO 0.503333, CHARLIE 0.033334 (its remainder is the largest: it gets the cent left over), OPS 2.00,
        // unallocated 0.06. Tokens: 25,166.65 / 25,166.65 / 1,666.70: the two tokens left over go to CHARLIE (.70), then ALPHA
        // (the earlier of the .65 ties). Calls: 0.8333 / 0.8333 / 1.3334: the two left over go to ALPHA and BRAVO.
        assertThat(report.at("data.costAllocation.costCenters")).isEqualTo(List.of(
                line("ALPHA", "0.50", "25167", 1),
                line("BRAVO", "0.50", "25166", 1),
                line("CHARLIE", "0.04", "1667", 1),
                line("OPS", "2.00", "100000", 1)));
        assertThat(report.at("data.costAllocation.unallocated")).isEqualTo(line(null, "0.06", "3000", 2));
        assertThat(report.at("data.costAllocation.total")).isEqualTo(line(null, "3.10", "155000", 6));
        // Another zone's days: the stretches no day row covers are read from the events, by the same four values.
        TestApi.Response toronto = api.graphql(northwind.memberToken(), "query($range: DateRangeInput) { costAllocation(range: $range, timeZone: \"America/Toronto\")"
                + " { timeZone costCenters " + LINE + " total " + LINE + " } }", Map.of("range", MARCH));
        assertThat(toronto.at("data.costAllocation.timeZone")).as(toronto.body()).isEqualTo("America/Toronto");
        assertThat(toronto.at("data.costAllocation.costCenters")).isEqualTo(report.at("data.costAllocation.costCenters"));
        assertThat(toronto.at("data.costAllocation.total")).isEqualTo(report.at("data.costAllocation.total"));
        TestApi.Response usage = api.graphql(northwind.memberToken(), "{ usageBreakdown(range: {from: \"2023-03-01\", to: \"2023-03-31\"}, by: TEAM)"
                + " { totals { cost " + MONEY + " tokens requests } } }");
        assertThat(usage.at("data.usageBreakdown.totals.cost")).as("the usage total of the range, unrounded")
                .isEqualTo(Map.of("amount", "3.100000000", "currencyCode", "EUR"));
        assertThat(new java.math.BigDecimal((String) usage.at("data.usageBreakdown.totals.tokens"))).isEqualByComparingTo("155000");
        assertThat(usage.at("data.usageBreakdown.totals.requests")).isEqualTo(6);
    }

    @Test
    void theReportReadsRollupsNeverEventsInAFixedNumberOfStatements() {
        statements.start("usage_event ");
        report(other.memberToken(), MARCH);
        assertThat(statements.count()).as("the organization's own days are day rows only").isZero();
        statements.start("usage_", "cost_center", "allocation_", "organization");
        report(other.memberToken(), MARCH);
        long few = statements.count();
        Fixtures.Tenant many = Fixtures.tenant(api, "alloc-many", "UTC", "EUR");
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String costCenter = createCostCenter(many, "CC-" + i, "Center " + i);
            setRule(many, i % 2 == 0 ? "TEAM" : "PROJECT", "value-" + i, Map.of("costCenterId", costCenter, "percent", "100"));
            events.add(flat("m" + i, "2023-03-06T10:00:00Z", 100 + i, Map.of(i % 2 == 0 ? "team" : "project", "value-" + i)));
        }
        send(many, events.toArray());
        roller.rollAll();
        report(many.memberToken(), MARCH);
        // Counted once the organization's zone is cached, as the first read of other's above was not.
        statements.start("usage_", "cost_center", "allocation_", "organization");
        TestApi.Response report = report(many.memberToken(), MARCH);
        assertThat(statements.count()).as("30 cost centers, rules and combinations").isEqualTo(few);
        assertThat((List<?>) report.at("data.costAllocation.costCenters")).hasSize(30);
        assertThat(report.at("data.costAllocation.unallocated.requests")).isEqualTo(0);
    }

    @Test
    void withoutTheAccountIdRuleItsUsageGoesByTheProjectRule() {
        TestApi.Response deleted = api.graphql(northwind.adminToken(), "mutation { allocationRuleDelete(input: {id: \"" + ruleId("ACCOUNT_ID", "acc-7")
                + "\"}) { allocationRule { value } userErrors { code } } }");
        assertThat(deleted.at("data.allocationRuleDelete.allocationRule.value")).as(deleted.body()).isEqualTo("acc-7");
        try {
            // e1's 2.00 now in thirds: ALPHA and BRAVO 1.169933, CHARLIE 0.700134; the two cents left go to ALPHA and BRAVO.
            TestApi.Response report = report(northwind.adminToken(), MARCH);
            assertThat(report.pluck("data.costAllocation.costCenters", "cost")).containsExactly(
                    Map.of("amount", "1.17", "currencyCode", "EUR"), Map.of("amount", "1.17", "currencyCode", "EUR"),
                    Map.of("amount", "0.70", "currencyCode", "EUR"), Map.of("amount", "0.00", "currencyCode", "EUR"));
            assertThat(report.at("data.costAllocation.total.cost")).isEqualTo(Map.of("amount", "3.10", "currencyCode", "EUR"));
            // A range of one day: e2 alone, one cent in thirds.
            TestApi.Response oneDay = report(northwind.adminToken(), Map.of("from", "2023-03-07", "to", "2023-03-07"));
            assertThat(oneDay.pluck("data.costAllocation.costCenters", "cost").stream().map(cost -> (Object) ((Map<?, ?>) cost).get("amount")).toList())
                    .containsExactly("0.00", "0.00", "0.01", "0.00");
            assertThat(oneDay.pluck("data.costAllocation.costCenters", "tokens")).containsExactly("167", "166", "167", "0");
        }
        finally {
            setRule(northwind, "ACCOUNT_ID", "acc-7", split("OPS", "100"));
        }
    }

    private String ruleId(String dimension, String value) {
        TestApi.Response rules = api.graphql(northwind.memberToken(), "{ allocationRules(first: 100) { totalCount nodes { id dimension value } } }");
        for (Object rule : (List<?>) rules.at("data.allocationRules.nodes")) {
            if (dimension.equals(TestApi.at(rule, "dimension")) && value.equals(TestApi.at(rule, "value"))) {
                return (String) TestApi.at(rule, "id");
            }
        }
        throw new AssertionError("no rule " + dimension + " " + value + " in " + rules.body());
    }

    @Test
    void settingARuleAgainReplacesItsSplitsAndValuesMatchIgnoringCase() {
        TestApi.Response rules = api.graphql(northwind.memberToken(), "{ allocationRules(first: 100) { totalCount nodes { dimension value splits { costCenter { code } percent } } } }");
        assertThat(rules.at("data.allocationRules.totalCount")).isEqualTo(4);
        Object apollo = ((List<?>) rules.at("data.allocationRules.nodes")).stream().filter(rule -> "apollo".equals(TestApi.at(rule, "value"))).findFirst().orElseThrow();
        assertThat(TestApi.at(apollo, "splits")).isEqualTo(List.of(
                Map.of("costCenter", Map.of("code", "ALPHA"), "percent", "33.33"), Map.of("costCenter", Map.of("code", "BRAVO"), "percent", "33.33"),
                Map.of("costCenter", Map.of("code", "CHARLIE"), "percent", "33.34")));
        String id = setRule(northwind, "PROJECT", "APOLLO", split("CHARLIE", "100"));
        try {
            assertThat(id).isEqualTo(apolloRule);
            assertThat(rows.count("SELECT COUNT(*) FROM allocation_rule r JOIN organization o ON o.id = r.organization_id WHERE o.slug = 'alloc-northwind'"))
                    .isEqualTo(4);
            TestApi.Response oneDay = report(northwind.adminToken(), Map.of("from", "2023-03-07", "to", "2023-03-07"));
            assertThat(oneDay.pluck("data.costAllocation.costCenters", "tokens")).containsExactly("0", "0", "500", "0");
        }
        finally {
            setRule(northwind, "PROJECT", "apollo", split("ALPHA", "33.33"), split("BRAVO", "33.33"), split("CHARLIE", "33.34"));
        }
    }

    @Test
    void twoFirstTimeSetsOfOneValueAtTheSameInstantBothSucceedAndLeaveOneWholeRule() throws Exception {
        // An organization of its own: its rules do not change the others' reports and counts.
        Fixtures.Tenant racing = Fixtures.tenant(api, "alloc-race", "UTC", "EUR");
        String east = createCostCenter(racing, "EAST", "East");
        String west = createCostCenter(racing, "WEST", "West");
        String north = createCostCenter(racing, "NORTH", "North");
        List<List<Map<String, Object>>> splitSets = List.of(
                List.of(Map.of("costCenterId", east, "percent", "100")),
                List.of(Map.of("costCenterId", west, "percent", "40"), Map.of("costCenterId", north, "percent", "60")));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 8; round++) {
                String value = "race-" + round;
                CountDownLatch ready = new CountDownLatch(2);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<TestApi.Response>> answers = new ArrayList<>();
                for (List<Map<String, Object>> splits : splitSets) {
                    answers.add(threads.submit(() -> {
                        ready.countDown();
                        go.await();
                        return api.graphql(racing.adminToken(), SET_RULE, Map.of("input", Map.of("dimension", "PROJECT", "value", value, "splits", splits)));
                    }));
                }
                ready.await();
                go.countDown();
                List<String> ids = new ArrayList<>();
                for (Future<TestApi.Response> answer : answers) {
                    TestApi.Response response = answer.get(60, TimeUnit.SECONDS);
                    assertThat(response.at("errors")).as(response.body()).isNull();
                    assertThat(response.at("data.allocationRuleSet.userErrors")).as(response.body()).isEqualTo(List.of());
                    ids.add((String) response.at("data.allocationRuleSet.allocationRule.id"));
                }
                assertThat(ids.get(0)).as("both answer the one rule").isEqualTo(ids.get(1));
                assertThat(rows.count("SELECT COUNT(*) FROM allocation_rule r JOIN organization o ON o.id = r.organization_id WHERE o.slug = 'alloc-race'"
                        + " AND r.dimension_value = ?", value)).isEqualTo(1);
                // One set whole, never a mix: the splits of one call, adding up to 100 %.
                TestApi.Response rule = api.graphql(racing.memberToken(), "query($id: ID!) { node(id: $id) { ... on AllocationRule { splits { costCenter { code } percent } } } }",
                        Map.of("id", ids.get(0)));
                List<String> stored = ((List<?>) rule.at("data.node.splits")).stream()
                        .map(split -> TestApi.at(split, "costCenter.code") + " " + new BigDecimal((String) TestApi.at(split, "percent")).stripTrailingZeros().toPlainString())
                        .toList();
                assertThat(stored).as(rule.body()).isIn(List.of("EAST 100"), List.of("NORTH 60", "WEST 40"));
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aYenOrganizationGetsWholeYenThatAddUpAndThirdsOfOddCentsInTheOriginalCurrency() {
        FxFixtures.setRate(api, api.adminToken(), "JPY", "145.00", "2023-03-06");
        Fixtures.Tenant yen = Fixtures.tenant(api, "alloc-yen", "UTC", "JPY");
        Map<String, String> ids = new HashMap<>();
        for (String code : List.of("X", "Y", "Z")) {
            ids.put(code, createCostCenter(yen, code, "Center " + code));
        }
        setRule(yen, "TEAM", "shared", Map.of("costCenterId", ids.get("X"), "percent", "33.33"), Map.of("costCenterId", ids.get("Y"), "percent", "33.33"),
                Map.of("costCenterId", ids.get("Z"), "percent", "33.34"));
        // 1,000 tokens: 0.02 EUR, 2.90 JPY, shared in thirds; 500 tokens: 0.01 EUR, 1.45 JPY, unallocated. 4.35 JPY rounds to 4.
        send(yen, flat("y1", "2023-03-06T10:00:00Z", 1_000, Map.of("team", "shared")), flat("y2", "2023-03-06T11:00:00Z", 500, Map.of()));
        roller.rollAll();
        TestApi.Response report = report(yen.memberToken(), Map.of("from", "2023-03-06", "to", "2023-03-06"));
        // JPY 0.96657 / 0.96657 / 0.96686 and 1.45: whole yen 1 / 1 / 1 and 1. EUR 0.006666 / 0.006666 / 0.006668 and 0.01: Z, then X get a cent.
        assertThat(report.pluck("data.costAllocation.costCenters", "cost")).containsExactly(Map.of("amount", "1", "currencyCode", "JPY"),
                Map.of("amount", "1", "currencyCode", "JPY"), Map.of("amount", "1", "currencyCode", "JPY"));
        assertThat(report.pluck("data.costAllocation.costCenters", "originalCost")).containsExactly(List.of(Map.of("amount", "0.01", "currencyCode", "EUR")),
                List.of(), List.of(Map.of("amount", "0.01", "currencyCode", "EUR")));
        assertThat(report.pluck("data.costAllocation.costCenters", "tokens")).containsExactly("333", "333", "334");
        assertThat(report.at("data.costAllocation.unallocated.cost")).isEqualTo(Map.of("amount", "1", "currencyCode", "JPY"));
        assertThat(report.at("data.costAllocation.total.cost")).isEqualTo(Map.of("amount", "4", "currencyCode", "JPY"));
        assertThat(report.at("data.costAllocation.total.originalCost")).isEqualTo(List.of(Map.of("amount", "0.03", "currencyCode", "EUR")));
        assertThat(report.at("data.costAllocation.total.tokens")).isEqualTo("1500");
    }

    @Test
    void costCentersAreManagedByAdminsReadByMembersAndArchivedOnesKeepTheirShares() {
        String ledger = createCostCenter(northwind, "LEDGER", "Ledger");
        TestApi.Response renamed = api.graphql(northwind.adminToken(), UPDATE, Map.of("input", Map.of("id", ledger, "code", "LEDGER-2", "name", "General ledger")));
        assertThat(renamed.at("data.costCenterUpdate.costCenter")).as(renamed.body()).isEqualTo(Map.of("id", ledger, "code", "LEDGER-2", "name", "General ledger"));
        TestApi.Response archived = api.graphql(northwind.adminToken(), ARCHIVE, Map.of("input", Map.of("id", ledger)));
        assertThat(archived.at("data.costCenterArchive.costCenter.archived")).as(archived.body()).isEqualTo(true);
        TestApi.Response again = api.graphql(northwind.adminToken(), ARCHIVE, Map.of("input", Map.of("id", ledger)));
        assertThat(again.codes("data.costCenterArchive.userErrors")).containsExactly("INVALID_STATE");
        String list = "query($all: Boolean) { costCenters(includeArchived: $all, first: 100) { totalCount nodes { code archived } } }";
        Map<String, Object> active = new HashMap<>();
        active.put("all", false);
        assertThat(api.graphql(northwind.memberToken(), list, active).pluck("data.costCenters.nodes", "code")).containsExactly("OPS", "CHARLIE", "ALPHA", "BRAVO");
        assertThat(api.graphql(northwind.memberToken(), list, Map.of("all", true)).pluck("data.costCenters.nodes", "code")).contains("LEDGER-2");
        TestApi.Response byMember = api.graphql(northwind.memberToken(), CREATE, Map.of("input", Map.of("code", "NOPE", "name", "Members cannot")));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response onArchived = api.graphql(northwind.adminToken(), SET_RULE, Map.of("input", Map.of("dimension", "TEAM", "value", "ledger-team",
                "splits", List.of(Map.of("costCenterId", ledger, "percent", "100")))));
        assertThat(onArchived.codes("data.allocationRuleSet.userErrors")).as(onArchived.body()).containsExactly("INVALID_STATE");
        assertThat(rows.count("SELECT COUNT(*) FROM allocation_rule WHERE dimension_value = 'ledger-team'")).isZero();
        TestApi.Response report = report(northwind.memberToken(), MARCH);
        assertThat(report.pluck("data.costAllocation.costCenters", "costCenter")).as("an archived cost center without usage is not listed")
                .doesNotContain(Map.of("code", "LEDGER-2"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void badInputIsRefusedWithATypedErrorAndNothingIsStored() {
        long costCenterRows = rows.count("SELECT COUNT(*) FROM cost_center");
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put("TAKEN", Map.of("code", "alpha", "name", "Alpha again, in lower case"));
        cases.put("BLANK", Map.of("code", "  ", "name", "No code"));
        cases.put("LENGTH", Map.of("code", "C".repeat(33), "name", "Long code"));
        cases.put("INVALID", Map.of("code", "has space", "name", "Spaced"));
        cases.forEach((code, input) -> {
            TestApi.Response response = api.graphql(northwind.adminToken(), CREATE, Map.of("input", input));
            assertThat(response.at("data.costCenterCreate.costCenter")).as(response.body()).isNull();
            assertThat(response.codes("data.costCenterCreate.userErrors")).as(response.body()).containsExactly(code);
        });
        TestApi.Response blankName = api.graphql(northwind.adminToken(), CREATE, Map.of("input", Map.of("code", "FRESH", "name", " ")));
        assertThat(blankName.codes("data.costCenterCreate.userErrors")).containsExactly("BLANK");
        TestApi.Response longName = api.graphql(northwind.adminToken(), UPDATE, Map.of("input", Map.of("id", costCenters.get("OPS"), "name", "n".repeat(201))));
        assertThat(longName.codes("data.costCenterUpdate.userErrors")).containsExactly("LENGTH");
        TestApi.Response takenOnUpdate = api.graphql(northwind.adminToken(), UPDATE, Map.of("input", Map.of("id", costCenters.get("OPS"), "code", "Bravo")));
        assertThat(takenOnUpdate.codes("data.costCenterUpdate.userErrors")).containsExactly("TAKEN");
        assertThat(rows.count("SELECT COUNT(*) FROM cost_center")).isEqualTo(costCenterRows);
        assertThat(rows.value("SELECT code FROM cost_center WHERE name = 'Cost center OPS'")).isEqualTo("OPS");

        long ruleRows = rows.count("SELECT COUNT(*) FROM allocation_rule");
        long splitRows = rows.count("SELECT COUNT(*) FROM allocation_split");
        List<Object[]> ruleCases = new ArrayList<>();
        ruleCases.add(new Object[] {"SPLIT_TOTAL", "input.splits", List.of(split("ALPHA", "33.33"), split("BRAVO", "33.33"), split("CHARLIE", "33.33"))});
        ruleCases.add(new Object[] {"SPLIT_TOTAL", "input.splits", List.of(split("ALPHA", "60"), split("BRAVO", "50"))});
        ruleCases.add(new Object[] {"OUT_OF_RANGE", "input.splits.1.percent", List.of(split("ALPHA", "50"), split("BRAVO", "49.995"))});
        ruleCases.add(new Object[] {"OUT_OF_RANGE", "input.splits.1.percent", List.of(split("ALPHA", "100"), split("BRAVO", "0"))});
        ruleCases.add(new Object[] {"OUT_OF_RANGE", "input.splits.0.percent", List.of(split("ALPHA", "150"))});
        ruleCases.add(new Object[] {"INVALID", "input.splits.1.costCenterId", List.of(split("ALPHA", "50"), split("ALPHA", "50"))});
        ruleCases.add(new Object[] {"NOT_FOUND", "input.splits.1.costCenterId", List.of(split("ALPHA", "50"), Map.of("costCenterId", otherCostCenter, "percent", "50"))});
        ruleCases.add(new Object[] {"NOT_FOUND", "input.splits.0.costCenterId", List.of(Map.of("costCenterId", "not-an-id", "percent", "100"))});
        ruleCases.add(new Object[] {"BLANK", "input.splits", List.of()});
        for (Object[] ruleCase : ruleCases) {
            TestApi.Response response = api.graphql(northwind.adminToken(), SET_RULE, Map.of("input", Map.of("dimension", "TEAM", "value", "search",
                    "splits", ruleCase[2])));
            assertThat(response.at("data.allocationRuleSet.allocationRule")).as(response.body()).isNull();
            assertThat(response.codes("data.allocationRuleSet.userErrors")).as(response.body()).containsExactly(ruleCase[0]);
            assertThat(String.join(".", (List<String>) TestApi.at(response.at("data.allocationRuleSet.userErrors"), "0.field"))).isEqualTo(ruleCase[1]);
        }
        for (Map.Entry<String, String> value : Map.of("BLANK", " ", "LENGTH", "v".repeat(129), "INVALID", "line\nbreak").entrySet()) {
            TestApi.Response response = api.graphql(northwind.adminToken(), SET_RULE, Map.of("input", Map.of("dimension", "PROJECT", "value", value.getValue(),
                    "splits", List.of(split("ALPHA", "100")))));
            assertThat(response.codes("data.allocationRuleSet.userErrors")).as(response.body()).containsExactly(value.getKey());
        }
        assertThat(rows.count("SELECT COUNT(*) FROM allocation_rule")).isEqualTo(ruleRows);
        assertThat(rows.count("SELECT COUNT(*) FROM allocation_split")).isEqualTo(splitRows);
        TestApi.Response report = report(northwind.memberToken(), MARCH);
        assertThat(report.at("data.costAllocation.costCenters.0.cost.amount")).as("the team rule still splits 50 / 50").isEqualTo("0.50");
    }

    @Test
    void anotherOrganizationsCostCentersRulesAndReportAreNotFoundAndNothingChanges() {
        long before = rows.count("SELECT COUNT(*) FROM cost_center");
        TestApi.Response update = api.graphql(northwind.adminToken(), UPDATE, Map.of("input", Map.of("id", otherCostCenter, "name", "Taken over")));
        assertThat(update.at("errors.0.extensions.code")).as(update.body()).isEqualTo("NOT_FOUND");
        TestApi.Response archive = api.graphql(northwind.adminToken(), ARCHIVE, Map.of("input", Map.of("id", otherCostCenter)));
        assertThat(archive.at("errors.0.extensions.code")).as(archive.body()).isEqualTo("NOT_FOUND");
        TestApi.Response delete = api.graphql(northwind.adminToken(), DELETE_RULE, Map.of("input", Map.of("id", otherRule)));
        assertThat(delete.at("errors.0.extensions.code")).as(delete.body()).isEqualTo("NOT_FOUND");
        assertThat(rows.value("SELECT name FROM cost_center WHERE code = 'OPS' AND name = 'Other''s operations'")).isEqualTo("Other's operations");
        assertThat(rows.count("SELECT COUNT(*) FROM cost_center WHERE archived = TRUE AND name = 'Other''s operations'")).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM cost_center")).isEqualTo(before);
        assertThat(api.graphql(other.memberToken(), "{ allocationRules { totalCount } }").at("data.allocationRules.totalCount")).isEqualTo(1);

        for (String query : List.of("{ costCenters(organizationId: \"%s\") { totalCount } }", "{ allocationRules(organizationId: \"%s\") { totalCount } }",
                "{ costAllocation(organizationId: \"%s\") { total { requests } } }")) {
            TestApi.Response response = api.graphql(northwind.adminToken(), query.formatted(other.organizationId()));
            assertThat(response.at("errors.0.extensions.code")).as(response.body()).isEqualTo("NOT_FOUND");
        }
        TestApi.Response node = api.graphql(northwind.adminToken(), "{ node(id: \"" + otherCostCenter + "\") { id } }");
        assertThat(node.at("data.node")).as(node.body()).isNull();
        assertThat(node.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        // The other organization's report has its own usage and rule only.
        TestApi.Response theirs = report(other.memberToken(), MARCH);
        assertThat(theirs.at("data.costAllocation.costCenters")).isEqualTo(List.of(line("OPS", "0.14", "7000", 1)));
        assertThat(theirs.at("data.costAllocation.total.cost")).isEqualTo(Map.of("amount", "0.14", "currencyCode", "EUR"));
    }
}
