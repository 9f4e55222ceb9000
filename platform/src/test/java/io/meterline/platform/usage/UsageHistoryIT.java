package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import jakarta.inject.Inject;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 002's usage history: {@code usageEvents} with its range, key, mode, status, Account ID, provider and model filters. */
class UsageHistoryIT extends ServerTest {

    private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
    private static final String EVENTS = "query($first: Int, $after: String, $range: DateRangeInput, $key: String, $mode: String, $status: UsageStatusFilter,"
            + " $accountId: String, $provider: String, $model: String, $org: ID) { usageEvents(organizationId: $org, first: $first, after: $after, range: $range, key: $key,"
            + " mode: $mode, status: $status, accountId: $accountId, provider: $provider, model: $model) { totalCount pageInfo { hasNextPage endCursor }"
            + " nodes { eventId timestamp model status inputTokens outputTokens totalTokens dimensions { mode accountId } apiKey { label prefix } note { text } } } }";

    @Inject
    StatementCounter statements;

    Fixtures.Tenant tenant;
    Fixtures.Tenant other;
    String secondPrefix;
    String otherPrefix;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(StatementCounter.ENABLE, "true");
        return properties;
    }

    @BeforeAll
    void setUp() {
        tenant = Fixtures.tenant(api, "history", "Asia/Kolkata");
        other = Fixtures.tenant(api, "history-other", "UTC");
        for (String code : List.of("BAY-01", "BAY-02")) {
            api.graphql(tenant.adminToken(), "mutation($code: String!) { accountIdCreate(input: {code: $code, label: $code}) { accountId { id } } }", Map.of("code", code));
        }
        TestApi.Response key = api.graphql(tenant.adminToken(), "mutation { apiKeyCreate(input: {label: \"Batch Runner\"}) { apiKey { prefix } secret } }");
        secondPrefix = (String) key.at("data.apiKeyCreate.apiKey.prefix");
        String secondKey = (String) key.at("data.apiKeyCreate.secret");
        otherPrefix = (String) api.graphql(other.adminToken(), "{ apiKeys { nodes { prefix } } }").at("data.apiKeys.nodes.0.prefix");
        LocalDate today = LocalDate.now(KOLKATA);
        record(tenant.apiKey(), List.of(
                event("h-100d", today.minusDays(100), "openai", "gpt-4o", Map.of("input_tokens", 1, "output_tokens", 1), "ok", null, null),
                event("h-60d", today.minusDays(60), "images", "dall-e-3", Map.of("images", 2), "server_error", null, null)));
        record(secondKey, List.of(
                event("h-20d", today.minusDays(20), "openai", "gpt-4o-mini", Map.of("input_tokens", 7, "output_tokens", 1), "ok", "fast", "BAY-02"),
                event("h-5d", today.minusDays(5), "anthropic", "claude-3-5-sonnet", Map.of("input_tokens", 10, "output_tokens", 3), "rate_limited", "expert", null)));
        // 18:29:59Z is 23:59:59 on June 14 in Kolkata (+05:30); 18:30Z is already June 15.
        Map<String, Object> june14 = event("z-0614", null, "images", "dall-e-3", Map.of("images", 1), "ok", null, null);
        june14.put("timestamp", "2026-06-14T18:29:59Z");
        Map<String, Object> june15 = event("z-0615", null, "images", "dall-e-3", Map.of("images", 1), "ok", null, null);
        june15.put("timestamp", "2026-06-14T18:30:00Z");
        record(tenant.apiKey(), List.of(june14, june15,
                event("h-today", today, "openai", "gpt-4o", Map.of("input_tokens", 100, "output_tokens", 20, "cached_tokens", 5), "ok", "fast", "BAY-01")));
    }

    private static Map<String, Object> event(String id, LocalDate day, String provider, String model, Map<String, Object> meters, String status, String mode, String accountId) {
        Map<String, Object> event = new HashMap<>(Map.of("id", id, "provider", provider, "model", model, "meters", meters, "status", status));
        if (day != null) {
            event.put("timestamp", day.atStartOfDay(KOLKATA).plusSeconds(1).toInstant().toString());
        }
        Map<String, Object> dimensions = new HashMap<>();
        if (mode != null) {
            dimensions.put("mode", mode);
        }
        if (accountId != null) {
            dimensions.put("account_id", accountId);
        }
        event.put("dimensions", dimensions);
        return event;
    }

    private void record(String key, List<Map<String, Object>> events) {
        TestApi.Response response = api.usage(key, api.write(Map.of("events", events)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private TestApi.Response query(String token, Map<String, Object> variables) {
        return api.graphql(token, EVENTS, variables);
    }

    /** The event ids a filter finds, newest first, after checking totalCount agrees. */
    private List<Object> ids(Map<String, Object> variables) {
        TestApi.Response response = query(tenant.memberToken(), variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        List<Object> ids = response.pluck("data.usageEvents.nodes", "eventId");
        assertThat(response.at("data.usageEvents.totalCount")).as(variables.toString()).isEqualTo(ids.size());
        return ids;
    }

    @Test
    void rangesAreWholeDaysOfTheViewersZone() {
        // Newest first by when the calls happened: the June events, recorded last, come last.
        assertThat(ids(Map.of())).containsExactly("h-today", "h-5d", "h-20d", "h-60d", "h-100d", "z-0615", "z-0614");
        assertThat(ids(Map.of("range", Map.of("preset", "LAST_7_DAYS")))).containsExactly("h-today", "h-5d");
        assertThat(ids(Map.of("range", Map.of("preset", "LAST_30_DAYS")))).containsExactly("h-today", "h-5d", "h-20d");
        assertThat(ids(Map.of("range", Map.of("preset", "LAST_90_DAYS")))).containsExactly("h-today", "h-5d", "h-20d", "h-60d");
        assertThat(ids(Map.of("range", Map.of("from", "2026-06-14", "to", "2026-06-14")))).containsExactly("z-0614");
        assertThat(ids(Map.of("range", Map.of("from", "2026-06-15", "to", "2026-06-15")))).containsExactly("z-0615");
        // The member's own profile zone wins over the organization's: in UTC both events are on June 14.
        TestApi.Response zone = api.graphql(tenant.memberToken(), "mutation { profileUpdate(input: {timeZone: \"UTC\"}) { userErrors { code } } }");
        try {
            assertThat(ids(Map.of("range", Map.of("from", "2026-06-14", "to", "2026-06-14")))).as(zone.body()).containsExactly("z-0615", "z-0614");
        }
        finally {
            api.graphql(tenant.memberToken(), "mutation { profileUpdate(input: {timeZone: \"\"}) { userErrors { code } } }");
        }
    }

    @Test
    void keyModeStatusAccountProviderAndModelFilters() {
        assertThat(ids(Map.of("key", "gateway"))).containsExactly("h-today", "h-60d", "h-100d", "z-0615", "z-0614");
        assertThat(ids(Map.of("key", "BATCH RUNNER"))).containsExactly("h-5d", "h-20d");
        assertThat(ids(Map.of("key", secondPrefix.substring(0, 10)))).containsExactly("h-5d", "h-20d");
        assertThat(ids(Map.of("mode", "fast"))).containsExactly("h-today", "h-20d");
        assertThat(ids(Map.of("mode", "expert"))).containsExactly("h-5d");
        assertThat(ids(Map.of("status", "OK"))).containsExactly("h-today", "h-20d", "h-100d", "z-0615", "z-0614");
        assertThat(ids(Map.of("status", "ERROR"))).containsExactly("h-5d", "h-60d");
        assertThat(ids(Map.of("accountId", "BAY-01"))).containsExactly("h-today");
        assertThat(ids(Map.of("provider", "openai"))).containsExactly("h-today", "h-20d", "h-100d");
        assertThat(ids(Map.of("model", "gpt-4o"))).containsExactly("h-today", "h-100d");
        assertThat(ids(Map.of("status", "OK", "mode", "fast", "range", Map.of("preset", "LAST_30_DAYS")))).containsExactly("h-today", "h-20d");
        assertThat(ids(Map.of("key", "gateway", "status", "ERROR"))).containsExactly("h-60d");
    }

    @Test
    void rowsCarryWhatThePageShows() {
        TestApi.Response response = query(tenant.memberToken(), Map.of("first", 1));
        assertThat(response.at("data.usageEvents.nodes.0.eventId")).isEqualTo("h-today");
        assertThat(response.at("data.usageEvents.nodes.0.model")).isEqualTo("gpt-4o");
        assertThat(response.at("data.usageEvents.nodes.0.status")).isEqualTo("ok");
        assertThat(response.at("data.usageEvents.nodes.0.dimensions.mode")).isEqualTo("fast");
        assertThat(response.at("data.usageEvents.nodes.0.apiKey.label")).isEqualTo("gateway");
        assertThat((String) response.at("data.usageEvents.nodes.0.apiKey.prefix")).hasSize(16);
        // Prompt tokens are input plus cached, completion the output tokens: 105 + 20 = 125.
        assertThat(response.at("data.usageEvents.nodes.0.inputTokens")).isEqualTo(105);
        assertThat(response.at("data.usageEvents.nodes.0.outputTokens")).isEqualTo(20);
        assertThat(response.at("data.usageEvents.nodes.0.totalTokens")).isEqualTo(125);
        assertThat(response.at("data.usageEvents.nodes.0.note")).isNull();
        TestApi.Response images = query(tenant.memberToken(), Map.of("status", "ERROR", "provider", "images"));
        assertThat(images.at("data.usageEvents.nodes.0.totalTokens")).isEqualTo(0);
        assertThat(images.at("data.usageEvents.nodes.0.status")).isEqualTo("server_error");
    }

    @Test
    void pagesFollowCursorsWithTheTotalCount() {
        List<Object> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 3; page++) {
            Map<String, Object> variables = new HashMap<>(Map.of("first", 3));
            if (after != null) {
                variables.put("after", after);
            }
            TestApi.Response response = query(tenant.adminToken(), variables);
            assertThat(response.at("data.usageEvents.totalCount")).isEqualTo(7);
            seen.addAll(response.pluck("data.usageEvents.nodes", "eventId"));
            assertThat(response.at("data.usageEvents.pageInfo.hasNextPage")).isEqualTo(page < 2);
            after = (String) response.at("data.usageEvents.pageInfo.endCursor");
        }
        assertThat(seen).containsExactly("h-today", "h-5d", "h-20d", "h-60d", "h-100d", "z-0615", "z-0614");
    }

    @Test
    void callsAtTheSameInstantPageByArrivalWithoutLosingOne() {
        Fixtures.Tenant ties = Fixtures.tenant(api, "history-ties", "UTC");
        List<Map<String, Object>> events = new ArrayList<>();
        for (String id : List.of("t-1", "t-2", "t-3", "t-4")) {
            Map<String, Object> event = event(id, null, "images", "dall-e-3", Map.of("images", 1), "ok", null, null);
            event.put("timestamp", id.equals("t-4") ? "2026-06-01T10:00:01Z" : "2026-06-01T10:00:00Z");
            events.add(event);
        }
        assertThat(api.usage(ties.apiKey(), api.write(Map.of("events", events))).status()).isEqualTo(200);
        List<Object> seen = new ArrayList<>();
        String after = null;
        do {
            Map<String, Object> variables = new HashMap<>(Map.of("first", 1));
            if (after != null) {
                variables.put("after", after);
            }
            TestApi.Response response = api.graphql(ties.adminToken(), EVENTS, variables);
            seen.addAll(response.pluck("data.usageEvents.nodes", "eventId"));
            after = Boolean.TRUE.equals(response.at("data.usageEvents.pageInfo.hasNextPage")) ? (String) response.at("data.usageEvents.pageInfo.endCursor") : null;
        }
        while (after != null);
        assertThat(seen).containsExactly("t-4", "t-3", "t-2", "t-1");
        // A cursor of another connection (one key, not a time and an id) is refused.
        String alertCursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("cursor:5".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(api.graphql(ties.adminToken(), EVENTS, Map.of("after", alertCursor)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void badInputGetsTypedErrors() {
        assertThat(query(tenant.adminToken(), Map.of("first", 101)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(query(tenant.adminToken(), Map.of("range", Map.of("from", "2026-06-15", "to", "2026-06-14"))).at("errors.0.extensions.code"))
                .isEqualTo("BAD_USER_INPUT");
        assertThat(query(tenant.adminToken(), Map.of("range", Map.of("preset", "LAST_7_DAYS", "from", "2026-06-14", "to", "2026-06-14"))).at("errors.0.extensions.code"))
                .isEqualTo("BAD_USER_INPUT");
        assertThat(query(tenant.adminToken(), Map.of("key", "no-such-key")).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        // A key of another organization is no key of this one.
        TestApi.Response foreignKey = query(tenant.adminToken(), Map.of("key", otherPrefix));
        assertThat(foreignKey.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(foreignKey.at("data")).isNull();
        TestApi.Response foreignOrganization = query(other.adminToken(), Map.of("org", tenant.organizationId()));
        assertThat(foreignOrganization.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(foreignOrganization.body()).doesNotContain("h-today");
    }

    @Test
    void platformAdminsReadAnyOrganizationsHistory() {
        TestApi.Response response = query(api.adminToken(), Map.of("org", tenant.organizationId(), "range", Map.of("preset", "LAST_7_DAYS")));
        assertThat(response.pluck("data.usageEvents.nodes", "eventId")).containsExactly("h-today", "h-5d");
    }

    @Test
    void aPageCostsTheSameFewStatementsWhateverItsSize() {
        Fixtures.Tenant busy = Fixtures.tenant(api, "history-busy", "UTC");
        List<Map<String, Object>> events = new ArrayList<>();
        for (int index = 0; index < 120; index++) {
            events.add(event("busy-" + index, LocalDate.now(KOLKATA).minusDays(index % 10), "openai", "gpt-4o", Map.of("input_tokens", index, "output_tokens", 1),
                    "ok", "fast", null));
        }
        record(busy.apiKey(), events);
        TestApi.Response page = api.graphql(busy.adminToken(), "{ usageEvents(first: 5) { nodes { id } } }");
        for (Object id : page.pluck("data.usageEvents.nodes", "id")) {
            for (String token : List.of(busy.adminToken(), busy.memberToken())) {
                api.graphql(token, "mutation($id: ID!) { usageNoteSet(input: {eventId: $id, text: \"looked at\"}) { userErrors { code } } }", Map.of("id", id));
            }
        }
        String query = "query($first: Int, $key: String, $range: DateRangeInput) { usageEvents(first: $first, key: $key, range: $range) { totalCount"
                + " nodes { eventId totalTokens apiKey { label prefix } note { text } notes { text authorEmail } } } }";
        long one = statementsFor(busy.adminToken(), query, Map.of("first", 1));
        long hundred = statementsFor(busy.adminToken(), query, Map.of("first", 100));
        // The page, its count, the page's API keys and the page's notes.
        assertThat(hundred).isEqualTo(one).isEqualTo(4);
        // A key filter adds one look-up of the matching keys; a range none.
        assertThat(statementsFor(api.adminToken(), query.replace("usageEvents(", "usageEvents(organizationId: \"" + busy.organizationId() + "\", "),
                Map.of("first", 100, "key", "gateway", "range", Map.of("preset", "LAST_30_DAYS")))).isEqualTo(5);
    }

    private long statementsFor(String token, String query, Map<String, Object> variables) {
        statements.start("usage_event", "usage_note", "api_key");
        TestApi.Response response = api.graphql(token, query, variables);
        long count = statements.count();
        assertThat(response.at("errors")).as(response.body()).isNull();
        assertThat((List<?>) response.at("data.usageEvents.nodes")).hasSize((Integer) variables.get("first"));
        return count;
    }
}
