package io.meterline.platform.accountid;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.budget.AlertCollector;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 000's Usage Controls: Account IDs, their daily limits as hard budgets, suspension, archive, usage figures and empty states. */
class AccountIdIT extends ServerTest {

    static final String FIELDS = "id code label status dailyTokenLimit tokensToday tokensThisMonth requestsThisMonth lastActivityAt statusChangedAt"
            + " dailyLimitBudget { name metric scope scopeKey period enforcement limit archived }";
    static final String CREATE = "mutation($input: AccountIdCreateInput!) { accountIdCreate(input: $input) { accountId { " + FIELDS + " } userErrors { field message code } } }";
    static final String UPDATE = "mutation($input: AccountIdUpdateInput!) { accountIdUpdate(input: $input) { accountId { " + FIELDS + " } userErrors { field message code } } }";
    static final String LIST = "query($archived: Boolean) { accountIds(includeArchived: $archived) { totalCount nodes { " + FIELDS + " } } }";
    static final String OVERVIEW = "{ accountIdOverview { hasAccountIds activeCount suspendedCount archivedCount withActivityThisMonthCount hasActivityThisMonth } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    AlertCollector alerts;

    Rows rows;
    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "controls", "Asia/Kolkata");
    }

    static String status(String name) {
        return "mutation($input: AccountIdInput!) { " + name + "(input: $input) { accountId { id status statusChangedAt dailyLimitBudget { archived } } userErrors { field code message } } }";
    }

    TestApi.Response create(Map<String, Object> input) {
        return api.graphql(tenant.adminToken(), CREATE, Map.of("input", input));
    }

    String createId(String code, Long limit) {
        Map<String, Object> input = new HashMap<>(Map.of("code", code, "label", "User " + code));
        if (limit != null) {
            input.put("dailyTokenLimit", limit);
        }
        TestApi.Response response = create(input);
        String id = (String) response.at("data.accountIdCreate.accountId.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    TestApi.Response authorize(String accountId, long tokens) {
        return api.post("/v1/authorize", tenant.apiKey(), "application/json",
                "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"dimensions\":{\"account_id\":\"" + accountId + "\"},\"estimate\":{\"tokens\":" + tokens + "}}");
    }

    @Test
    void theEmptyStatesComeFirstThenTheListWithUsageInTheOrganizationsZone() {
        Fixtures.Tenant fresh = Fixtures.tenant(api, "fresh-start", "Pacific/Chatham");
        TestApi.Response empty = api.graphql(fresh.adminToken(), OVERVIEW);
        assertThat(empty.at("data.accountIdOverview")).as(empty.body()).isEqualTo(Map.of("hasAccountIds", false, "activeCount", 0, "suspendedCount", 0,
                "archivedCount", 0, "withActivityThisMonthCount", 0, "hasActivityThisMonth", false));
        assertThat(api.graphql(fresh.memberToken(), LIST, Map.of()).at("data.accountIds.totalCount")).isEqualTo(0);

        TestApi.Response created = api.graphql(fresh.adminToken(), CREATE, Map.of("input", Map.of("code", " bay-01 ", "label", " Bay one ")));
        assertThat(created.at("data.accountIdCreate.userErrors")).as(created.body()).isEqualTo(List.of());
        assertThat(created.at("data.accountIdCreate.accountId.code")).isEqualTo("BAY-01");
        assertThat(created.at("data.accountIdCreate.accountId.label")).isEqualTo("Bay one");
        assertThat(created.at("data.accountIdCreate.accountId.status")).isEqualTo("ACTIVE");
        assertThat(created.at("data.accountIdCreate.accountId.dailyTokenLimit")).isNull();
        assertThat(created.at("data.accountIdCreate.accountId.dailyLimitBudget")).isNull();
        assertThat(created.at("data.accountIdCreate.accountId.lastActivityAt")).isNull();
        TestApi.Response noActivity = api.graphql(fresh.adminToken(), OVERVIEW);
        assertThat(noActivity.at("data.accountIdOverview.hasAccountIds")).isEqualTo(true);
        assertThat(noActivity.at("data.accountIdOverview.hasActivityThisMonth")).isEqualTo(false);

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TestApi.Response recorded = api.usage(fresh.apiKey(), "{\"events\":["
                + "{\"id\":\"a1\",\"timestamp\":\"" + now + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":1200,\"output_tokens\":300},"
                + "\"dimensions\":{\"account_id\":\"BAY-01\"}},"
                + "{\"id\":\"a2\",\"timestamp\":\"" + now + "\",\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":2},"
                + "\"dimensions\":{\"account_id\":\"BAY-01\"}},"
                + "{\"id\":\"a3\",\"timestamp\":\"" + now + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":5},"
                + "\"dimensions\":{\"account_id\":\"NOT-REGISTERED\"}}]}");
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);
        TestApi.Response list = api.graphql(fresh.memberToken(), LIST, Map.of());
        assertThat(list.at("data.accountIds.nodes.0.tokensToday")).as(list.body()).isEqualTo(1500);
        assertThat(list.at("data.accountIds.nodes.0.tokensThisMonth")).isEqualTo(1500);
        assertThat(list.at("data.accountIds.nodes.0.requestsThisMonth")).isEqualTo(2);
        assertThat(Instant.parse((String) list.at("data.accountIds.nodes.0.lastActivityAt"))).isEqualTo(now);
        TestApi.Response active = api.graphql(fresh.adminToken(), OVERVIEW);
        assertThat(active.at("data.accountIdOverview.withActivityThisMonthCount")).isEqualTo(1);
        assertThat(active.at("data.accountIdOverview.hasActivityThisMonth")).isEqualTo(true);
        TestApi.Response days = api.graphql(fresh.adminToken(), "{ accountIds { nodes { dailyUsage(days: 3) { date tokens requests } } } }");
        assertThat((List<?>) days.at("data.accountIds.nodes.0.dailyUsage")).as(days.body()).hasSize(3);
        assertThat(days.at("data.accountIds.nodes.0.dailyUsage.2.tokens")).isEqualTo(1500);
    }

    @Test
    void aGeneratedCodeUsesUnambiguousCharactersAndIsUnusedInTheOrganization() {
        String generated = (String) api.graphql(tenant.adminToken(), "{ accountIdGenerateCode }").at("data.accountIdGenerateCode");
        assertThat(generated).matches("[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}");
        TestApi.Response created = create(Map.of("label", "Generated"));
        assertThat((String) created.at("data.accountIdCreate.accountId.code")).as(created.body())
                .matches("[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}");
        assertThat(api.graphql(tenant.memberToken(), "{ accountIdGenerateCode }").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
    }

    @Test
    void badInputIsRefusedWithATypedErrorAndNothingIsStored() {
        createId("DUP-01", null);
        long accountIds = rows.count("SELECT COUNT(*) FROM account_id");
        long budgets = rows.count("SELECT COUNT(*) FROM budget");
        Map<String, Map<String, Object>> cases = Map.of(
                "TAKEN", Map.of("code", "dup-01", "label", "Again"),
                "INVALID", Map.of("code", "BAY 01", "label", "Spaces"),
                "OUT_OF_RANGE", Map.of("code", "NEG-01", "label", "Negative", "dailyTokenLimit", -5),
                "BLANK", Map.of("code", "BLANK-01", "label", "  "),
                "LENGTH", Map.of("code", "LONG-01", "label", "x".repeat(101)));
        cases.forEach((code, input) -> {
            TestApi.Response response = create(input);
            assertThat(response.at("data.accountIdCreate.accountId")).as(response.body()).isNull();
            assertThat(response.codes("data.accountIdCreate.userErrors")).as(response.body()).containsExactly(code);
        });
        for (String malformed : List.of("A", "-AB", "AB-", "ÄBC", "X".repeat(33), "A_B")) {
            assertThat(create(Map.of("code", malformed, "label", "Bad")).codes("data.accountIdCreate.userErrors")).as(malformed).containsExactly("INVALID");
        }
        assertThat(create(Map.of("code", "ZERO-01", "label", "Zero", "dailyTokenLimit", 0)).codes("data.accountIdCreate.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(api.graphql(tenant.memberToken(), CREATE, Map.of("input", Map.of("code", "MEMBER-01", "label", "Member"))).at("errors.0.extensions.code"))
                .isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM account_id")).isEqualTo(accountIds);
        assertThat(rows.count("SELECT COUNT(*) FROM budget")).isEqualTo(budgets);
    }

    @Test
    void searchFindsCodesAndLabelsIgnoringCaseAndPagesAndCountsTheMatches() {
        Fixtures.Tenant searched = Fixtures.tenant(api, "search-ids", "UTC");
        for (String[] spec : new String[][] {{"FRONT-01", "Reception desk"}, {"BAY-07", "Dr. Front"}, {"BAY-08", "Hygienist"}, {"BAY-09", "100% remote_desk"}}) {
            TestApi.Response created = api.graphql(searched.adminToken(), CREATE, Map.of("input", Map.of("code", spec[0], "label", spec[1])));
            assertThat(created.at("data.accountIdCreate.userErrors")).as(created.body()).isEqualTo(List.of());
        }
        String query = "query($search: String, $first: Int, $after: String) { accountIds(search: $search, first: $first, after: $after) {"
                + " totalCount pageInfo { hasNextPage endCursor } nodes { code } } }";
        Map<String, Object> variables = new HashMap<>(Map.of("search", "front"));
        TestApi.Response front = api.graphql(searched.memberToken(), query, variables);
        assertThat(front.pluck("data.accountIds.nodes", "code")).containsExactly("FRONT-01", "BAY-07");
        assertThat(front.at("data.accountIds.totalCount")).isEqualTo(2);
        variables.put("first", 1);
        TestApi.Response first = api.graphql(searched.memberToken(), query, variables);
        assertThat(first.pluck("data.accountIds.nodes", "code")).containsExactly("FRONT-01");
        variables.put("after", first.at("data.accountIds.pageInfo.endCursor"));
        assertThat(api.graphql(searched.memberToken(), query, variables).pluck("data.accountIds.nodes", "code")).containsExactly("BAY-07");
        // LIKE's wildcards are plain text.
        assertThat(api.graphql(searched.memberToken(), query, Map.of("search", "_")).pluck("data.accountIds.nodes", "code")).containsExactly("BAY-09");
        assertThat(api.graphql(searched.memberToken(), query, Map.of("search", "%")).pluck("data.accountIds.nodes", "code")).containsExactly("BAY-09");
        assertThat(api.graphql(searched.memberToken(), query, Map.of("search", "bay-0")).at("data.accountIds.totalCount")).isEqualTo(3);
        // Another organization's Account IDs never match.
        assertThat(api.graphql(tenant.adminToken(), query, Map.of("search", "front")).at("data.accountIds.totalCount")).isEqualTo(0);
        for (String bad : List.of(" ", "x".repeat(129))) {
            assertThat(api.graphql(searched.memberToken(), query, Map.of("search", bad)).at("errors.0.extensions.code")).as(bad).isEqualTo("BAD_USER_INPUT");
        }
    }

    @Test
    void theSameCodeMayExistInAnotherOrganization() {
        createId("SHARED-01", null);
        Fixtures.Tenant other = Fixtures.tenant(api, "controls-other", "UTC");
        TestApi.Response response = api.graphql(other.adminToken(), CREATE, Map.of("input", Map.of("code", "SHARED-01", "label", "Other org")));
        assertThat(response.at("data.accountIdCreate.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    @Test
    void theDailyLimitIsAHardBudgetThatDeniesAuthorizationsOverIt() {
        String id = createId("LIMIT-01", 1000L);
        TestApi.Response list = api.graphql(tenant.adminToken(), "query($id: ID!) { node(id: $id) { ... on AccountId { " + FIELDS + " } } }", Map.of("id", id));
        assertThat(list.at("data.node.dailyTokenLimit")).isEqualTo(1000);
        assertThat(list.at("data.node.dailyLimitBudget")).as(list.body()).isEqualTo(Map.of("name", "Account ID LIMIT-01 daily tokens", "metric", "TOKENS",
                "scope", "ACCOUNT_ID", "scopeKey", "LIMIT-01", "period", "DAY", "enforcement", "HARD", "limit", "1000.000000000", "archived", false));

        assertThat(authorize("LIMIT-01", 600).at("decision")).isEqualTo("ALLOW");
        TestApi.Response denied = authorize("LIMIT-01", 600);
        assertThat(denied.at("decision")).as(denied.body()).isEqualTo("DENY");
        assertThat(denied.at("denied_by.scope")).isEqualTo("ACCOUNT_ID");
        assertThat(denied.at("denied_by.scope_key")).isEqualTo("LIMIT-01");
        assertThat(authorize("OTHER-01", 600).at("decision")).isEqualTo("ALLOW");

        TestApi.Response raised = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", Map.of("id", id, "dailyTokenLimit", 5000, "label", "Renamed")));
        assertThat(raised.at("data.accountIdUpdate.accountId.label")).as(raised.body()).isEqualTo("Renamed");
        assertThat(raised.at("data.accountIdUpdate.accountId.dailyLimitBudget.limit")).isEqualTo("5000.000000000");
        assertThat(authorize("LIMIT-01", 600).at("decision")).isEqualTo("ALLOW");

        String budgetId = (String) api.graphql(tenant.adminToken(), "query($id: ID!) { node(id: $id) { ... on AccountId { dailyLimitBudget { id } } } }",
                Map.of("id", id)).at("data.node.dailyLimitBudget.id");
        api.graphql(tenant.adminToken(), "mutation($id: ID!) { budgetArchive(input: {id: $id}) { userErrors { code } } }", Map.of("id", budgetId));
        TestApi.Response renewed = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", Map.of("id", id, "dailyTokenLimit", 6000)));
        assertThat(renewed.at("data.accountIdUpdate.accountId.dailyLimitBudget.limit")).as("a budget archived directly is replaced").isEqualTo("6000.000000000");
        assertThat(renewed.at("data.accountIdUpdate.accountId.dailyLimitBudget.archived")).isEqualTo(false);

        TestApi.Response unlimited = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", Map.of("id", id, "unlimited", true)));
        assertThat(unlimited.at("data.accountIdUpdate.accountId.dailyTokenLimit")).as(unlimited.body()).isNull();
        assertThat(unlimited.at("data.accountIdUpdate.accountId.dailyLimitBudget")).isNull();
        assertThat(rows.count("SELECT COUNT(*) FROM budget WHERE scope_key = 'LIMIT-01' AND archived = FALSE")).isZero();
        assertThat(authorize("LIMIT-01", 100_000).at("decision")).isEqualTo("ALLOW");

        long budgets = rows.count("SELECT COUNT(*) FROM budget");
        String before = String.valueOf(rows.value("SELECT CONCAT(label, COALESCE(CAST(daily_token_limit AS CHAR), 'none')) FROM account_id WHERE code = 'LIMIT-01'"));
        for (Map<String, Object> input : List.of(Map.<String, Object>of("id", id, "dailyTokenLimit", -1), Map.<String, Object>of("id", id, "label", ""),
                Map.<String, Object>of("id", id, "dailyTokenLimit", 10, "unlimited", true))) {
            TestApi.Response refused = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", input));
            assertThat(refused.at("data.accountIdUpdate.accountId")).as(refused.body()).isNull();
            assertThat(refused.codes("data.accountIdUpdate.userErrors")).isNotEmpty();
        }
        assertThat(String.valueOf(rows.value("SELECT CONCAT(label, COALESCE(CAST(daily_token_limit AS CHAR), 'none')) FROM account_id WHERE code = 'LIMIT-01'"))).isEqualTo(before);
        assertThat(rows.count("SELECT COUNT(*) FROM budget")).isEqualTo(budgets);
    }

    @Test
    void theDailyLimitRaisesThresholdAlertsLikeEveryBudget() {
        String id = createId("ALERT-01", 1000L);
        String budgetId = (String) api.graphql(tenant.adminToken(), "query($id: ID!) { node(id: $id) { ... on AccountId { dailyLimitBudget { id } } } }",
                Map.of("id", id)).at("data.node.dailyLimitBudget.id");
        TestApi.Response recorded = api.usage(tenant.apiKey(), "{\"events\":[{\"id\":\"alert-1\",\"timestamp\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":850},\"dimensions\":{\"account_id\":\"ALERT-01\"}}]}");
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);
        long organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
        List<AlertRequest> raised = alerts.forOrganization(organizationId).stream()
                .filter(alert -> alert.dedupeKey().startsWith("budget:" + GlobalId.decode(budgetId).orElseThrow().id() + ":")).toList();
        assertThat(raised).hasSize(1);
        assertThat(raised.get(0).level()).isEqualTo("WARNING");
        assertThat(authorize("ALERT-01", 200).at("decision")).isEqualTo("DENY");
    }

    @Test
    void suspendedAndArchivedAccountIdsAreDeniedAndArchivedCodesAreNeverReused() {
        String id = createId("SUSP-01", 50_000L);
        assertThat(authorize("SUSP-01", 10).at("decision")).isEqualTo("ALLOW");
        TestApi.Response suspended = api.graphql(tenant.adminToken(), status("accountIdSuspend"), Map.of("input", Map.of("id", id)));
        assertThat(suspended.at("data.accountIdSuspend.accountId.status")).as(suspended.body()).isEqualTo("SUSPENDED");
        TestApi.Response denied = authorize("SUSP-01", 10);
        assertThat(denied.at("decision")).isEqualTo("DENY");
        assertThat(denied.at("reason")).isEqualTo("Account ID SUSP-01 is suspended");
        TestApi.Response graphqlDenied = api.graphql(tenant.adminToken(), "mutation { usageAuthorize(input: {provider: \"openai\", model: \"gpt-4o\","
                + " accountId: \"SUSP-01\", estimate: {tokens: 1}}) { authorization { decision reason } } }");
        assertThat(graphqlDenied.at("data.usageAuthorize.authorization.decision")).as(graphqlDenied.body()).isEqualTo("DENY");
        assertThat(api.graphql(tenant.adminToken(), status("accountIdSuspend"), Map.of("input", Map.of("id", id))).codes("data.accountIdSuspend.userErrors"))
                .containsExactly("INVALID_STATE");

        TestApi.Response reactivated = api.graphql(tenant.adminToken(), status("accountIdReactivate"), Map.of("input", Map.of("id", id)));
        assertThat(reactivated.at("data.accountIdReactivate.accountId.status")).isEqualTo("ACTIVE");
        assertThat(authorize("SUSP-01", 10).at("decision")).isEqualTo("ALLOW");

        TestApi.Response archived = api.graphql(tenant.adminToken(), status("accountIdArchive"), Map.of("input", Map.of("id", id)));
        assertThat(archived.at("data.accountIdArchive.accountId.status")).as(archived.body()).isEqualTo("ARCHIVED");
        assertThat(archived.at("data.accountIdArchive.accountId.dailyLimitBudget.archived")).isEqualTo(true);
        assertThat(authorize("SUSP-01", 10).at("reason")).isEqualTo("Account ID SUSP-01 is archived");
        assertThat(api.graphql(tenant.adminToken(), status("accountIdReactivate"), Map.of("input", Map.of("id", id))).codes("data.accountIdReactivate.userErrors"))
                .containsExactly("INVALID_STATE");
        assertThat(api.graphql(tenant.adminToken(), UPDATE, Map.of("input", Map.of("id", id, "label", "x"))).codes("data.accountIdUpdate.userErrors"))
                .containsExactly("INVALID_STATE");
        TestApi.Response reused = create(Map.of("code", "susp-01", "label", "Again"));
        assertThat(reused.codes("data.accountIdCreate.userErrors")).containsExactly("TAKEN");
        assertThat((String) reused.at("data.accountIdCreate.userErrors.0.message")).contains("never reused");

        List<Object> listed = api.graphql(tenant.adminToken(), LIST, Map.of()).pluck("data.accountIds.nodes", "code");
        assertThat(listed).doesNotContain("SUSP-01");
        Map<String, Object> withArchived = new HashMap<>();
        withArchived.put("archived", true);
        assertThat(api.graphql(tenant.adminToken(), LIST, withArchived).pluck("data.accountIds.nodes", "code")).contains("SUSP-01");
        assertThat(api.graphql(tenant.adminToken(), "{ accountIds(status: ARCHIVED) { nodes { code } } }").pluck("data.accountIds.nodes", "code"))
                .containsExactly("SUSP-01");
        assertThat(api.graphql(tenant.memberToken(), status("accountIdSuspend"), Map.of("input", Map.of("id", id))).at("errors.0.extensions.code"))
                .isEqualTo("FORBIDDEN");
    }
}
