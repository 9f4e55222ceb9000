package io.meterline.platform.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.StatementCounter;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code usageSeries}, {@code usageBreakdown}, {@code usageTotals}: local buckets in any zone (quarter-hour offsets, 23- and
 * 25-hour DST days) with known answers, grouping and shares, zero-filled buckets, the roll-up counting every event once,
 * typed errors and tenant isolation.
 */
class UsageAnalyticsIT extends ServerTest {

    static final String SERIES = "query($range: DateRangeInput, $granularity: UsageGranularity, $groupBy: UsageDimension, $zone: String, $org: ID) {"
            + " usageSeries(organizationId: $org, range: $range, granularity: $granularity, groupBy: $groupBy, timeZone: $zone) {"
            + " from to timeZone granularity buckets { start end date totals { requests tokens inputTokens outputTokens cost { amount currencyCode } }"
            + " groups { key totals { requests tokens } tokenShare requestShare } } totals { requests tokens errorRequests } asOf } }";
    static final String BREAKDOWN = "query($range: DateRangeInput, $by: UsageDimension!, $first: Int, $zone: String) {"
            + " usageBreakdown(range: $range, by: $by, first: $first, timeZone: $zone) { by totalCount groups { key totals { requests tokens cost { amount } }"
            + " tokenShare costShare requestShare } totals { requests tokens } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    UsageRoller roller;

    @Inject
    StatementCounter statements;

    @Inject
    EventReader eventReader;

    @Inject
    Clock clock;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(StatementCounter.ENABLE, "true");
        // The test rolls up itself, so no background roll touches the tables while statements are counted.
        properties.put("meterline.analytics.scheduled-roll", "false");
        // Every page reads the roll's mark itself (none served from an earlier page's read), so statement counts are exact.
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    Rows rows;
    Fixtures.Tenant tenant;
    Fixtures.Tenant other;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "analytics", "Asia/Kathmandu");
        other = Fixtures.tenant(api, "analytics-other", "UTC");
        // Kathmandu is +05:45: local midnight of 2026-06-15 is 2026-06-14T18:15Z.
        record(tenant, "k1", "2026-06-14T18:14:59Z", 100, Map.of("team", "search", "mode", "fast"), "ok");
        record(tenant, "k2", "2026-06-14T18:15:00Z", 200, Map.of("team", "search", "mode", "deep"), "ok");
        record(tenant, "k3", "2026-06-16T06:00:00Z", 300, Map.of("team", "sales"), "rate_limited");
        // Berlin: 2026-03-29 has 23 hours (CET to CEST at 01:00Z), 2026-10-25 has 25 (back at 01:00Z).
        record(tenant, "b1", "2026-03-29T00:30:00Z", 10, Map.of(), "ok");
        record(tenant, "b2", "2026-03-29T01:30:00Z", 20, Map.of(), "ok");
        record(tenant, "b3", "2026-10-25T00:30:00Z", 40, Map.of(), "ok");
        record(tenant, "b4", "2026-10-25T01:30:00Z", 80, Map.of(), "ok");
        record(other, "o1", "2026-06-15T12:00:00Z", 5000, Map.of("team", "search"), "ok");
        roller.rollAll();
    }

    private void record(Fixtures.Tenant owner, String id, String timestamp, int inputTokens, Map<String, String> dimensions, String status) {
        Map<String, Object> event = new HashMap<>(Map.of("id", id, "timestamp", timestamp, "provider", "openai", "model", "gpt-4o",
                "meters", Map.of("input_tokens", inputTokens, "output_tokens", 1), "dimensions", dimensions, "status", status));
        TestApi.Response response = api.usage(owner.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private TestApi.Response query(String token, String query, Map<String, Object> variables) {
        return api.graphql(token, query, variables);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> series(String from, String to, String granularity, String groupBy, String zone) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("range", Map.of("from", from, "to", to));
        variables.put("granularity", granularity);
        variables.put("groupBy", groupBy);
        variables.put("zone", zone);
        TestApi.Response response = query(tenant.adminToken(), SERIES, variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return (Map<String, Object>) response.at("data.usageSeries");
    }

    private static List<Object> tokens(Map<String, Object> series) {
        return ((List<?>) series.get("buckets")).stream().map(bucket -> TestApi.at(bucket, "totals.tokens")).map(value -> (Object) new BigDecimal(
                String.valueOf(value)).stripTrailingZeros().toPlainString()).toList();
    }

    @Test
    void localDaysInAQuarterHourZoneWithZeroFilledBuckets() {
        Map<String, Object> days = series("2026-06-14", "2026-06-17", "DAY", null, null);
        assertThat(days.get("timeZone")).isEqualTo("Asia/Kathmandu");
        assertThat(tokens(days)).containsExactly("101", "201", "301", "0");
        assertThat(TestApi.at(days, "buckets.1.start")).isEqualTo("2026-06-14T18:15:00Z");
        assertThat(TestApi.at(days, "totals.errorRequests")).isEqualTo(1);
        // The same instants in Kolkata (+05:30): 18:14:59Z and 18:15Z are both June 14, 23:44 and 23:45.
        assertThat(tokens(series("2026-06-14", "2026-06-17", "DAY", null, "Asia/Kolkata"))).containsExactly("302", "0", "301", "0");
        // And in UTC both are June 14.
        assertThat(tokens(series("2026-06-14", "2026-06-17", "DAY", null, "UTC"))).containsExactly("302", "0", "301", "0");
    }

    @Test
    void dstDaysHave23And25HourBuckets() {
        Map<String, Object> spring = series("2026-03-29", "2026-03-29", "HOUR", null, "Europe/Berlin");
        List<?> hours = (List<?>) spring.get("buckets");
        assertThat(hours).hasSize(23);
        // 00:30Z is 01:30 CET (the second local hour); 01:30Z is 03:30 CEST (the third bucket: 02:00 does not exist).
        assertThat(tokens(spring).subList(0, 4)).containsExactly("0", "11", "21", "0");
        Map<String, Object> autumn = series("2026-10-25", "2026-10-25", "HOUR", null, "Europe/Berlin");
        assertThat((List<?>) autumn.get("buckets")).hasSize(25);
        // 00:30Z is 02:30 CEST, 01:30Z is 02:30 CET: two different buckets with the same wall-clock hour.
        assertThat(tokens(autumn).subList(0, 4)).containsExactly("0", "0", "41", "81");
        assertThat(tokens(series("2026-03-28", "2026-03-30", "DAY", null, "Europe/Berlin"))).containsExactly("0", "32", "0");
    }

    @Test
    void weeksAndMonthsAreCutToTheRange() {
        Map<String, Object> weeks = series("2026-06-10", "2026-06-21", "WEEK", null, null);
        // Wednesday June 10 to Sunday June 14, then Monday June 15 to Sunday June 21.
        assertThat(((List<?>) weeks.get("buckets")).stream().map(bucket -> TestApi.at(bucket, "date")).toList()).containsExactly("2026-06-10", "2026-06-15");
        assertThat(tokens(weeks)).containsExactly("101", "502");
        Map<String, Object> months = series("2026-01-01", "2026-12-31", "MONTH", null, "Europe/Berlin");
        assertThat(tokens(months).subList(0, 6)).containsExactly("0", "0", "32", "0", "0", "603");
        assertThat(tokens(months).get(9)).isEqualTo("122");
    }

    @Test
    void groupsAndSharesByAnyDimension() {
        Map<String, Object> byTeam = series("2026-06-14", "2026-06-17", "DAY", "TEAM", null);
        assertThat(TestApi.at(byTeam, "buckets.1.groups.0.key")).isEqualTo("search");
        assertThat(TestApi.at(byTeam, "buckets.2.groups.0.key")).isEqualTo("sales");
        Map<String, Object> variables = new HashMap<>(Map.of("range", Map.of("from", "2026-06-14", "to", "2026-06-17"), "by", "MODE"));
        TestApi.Response modes = query(tenant.adminToken(), BREAKDOWN, variables);
        assertThat(modes.at("errors")).as(modes.body()).isNull();
        // Tokens: sales (no mode) 301, deep 201, fast 101, of 603.
        assertThat(modes.pluck("data.usageBreakdown.groups", "key")).containsExactly("", "deep", "fast");
        assertThat(modes.pluck("data.usageBreakdown.groups", "tokenShare")).containsExactly(49.9171, 33.3333, 16.7496);
        assertThat(modes.at("data.usageBreakdown.totalCount")).isEqualTo(3);
        variables.put("first", 1);
        assertThat(query(tenant.adminToken(), BREAKDOWN, variables).pluck("data.usageBreakdown.groups", "key")).containsExactly("");
    }

    @Test
    void aBreakdownRanksItsValuesByCostTokensOrCalls() {
        Fixtures.Tenant ranked = Fixtures.tenant(api, "analytics-ranked", "UTC");
        // dear: expensive model, few tokens; cheap: many tokens on a cheap model; busy: three tiny calls.
        recordModel(ranked, "r1", "gpt-4", 200, "dear");
        recordModel(ranked, "r2", "gpt-4o-mini", 5000, "cheap");
        for (int i = 0; i < 3; i++) {
            recordModel(ranked, "r-busy-" + i, "gpt-4o-mini", 10, "busy");
        }
        roller.rollAll();
        String query = "query($order: UsageGroupOrder, $first: Int) { usageBreakdown(by: MODE, range: {from: \"2026-08-01\", to: \"2026-08-31\"},"
                + " orderBy: $order, first: $first) { totalCount groups { key totals { tokens requests } } } }";
        Map<String, Object> variables = new HashMap<>();
        assertThat(query(ranked.adminToken(), query, variables).pluck("data.usageBreakdown.groups", "key")).containsExactly("dear", "cheap", "busy");
        variables.put("order", "COST");
        assertThat(query(ranked.adminToken(), query, variables).pluck("data.usageBreakdown.groups", "key")).containsExactly("dear", "cheap", "busy");
        variables.put("order", "TOKENS");
        assertThat(query(ranked.adminToken(), query, variables).pluck("data.usageBreakdown.groups", "key")).containsExactly("cheap", "dear", "busy");
        variables.put("order", "REQUESTS");
        // busy has 3 calls; dear and cheap 1 each, tied, so by cost.
        assertThat(query(ranked.adminToken(), query, variables).pluck("data.usageBreakdown.groups", "key")).containsExactly("busy", "dear", "cheap");
        variables.put("order", "TOKENS");
        variables.put("first", 1);
        TestApi.Response top = query(ranked.adminToken(), query, variables);
        assertThat(top.pluck("data.usageBreakdown.groups", "key")).as("first takes the top of the chosen order").containsExactly("cheap");
        assertThat(top.at("data.usageBreakdown.totalCount")).isEqualTo(3);
        variables.put("order", "LOUDNESS");
        assertThat(query(ranked.adminToken(), query, variables).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    private void recordModel(Fixtures.Tenant owner, String id, String model, int inputTokens, String mode) {
        Map<String, Object> event = Map.of("id", id, "timestamp", "2026-08-10T12:00:00Z", "provider", "openai", "model", model,
                "meters", Map.of("input_tokens", inputTokens, "output_tokens", 1), "dimensions", Map.of("mode", mode), "status", "ok");
        TestApi.Response response = api.usage(owner.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @Test
    void everyEventIsRolledUpOnceAndLateCommitsAreFoundInTheirGap() throws Exception {
        long before = rows.count("SELECT SUM(requests) FROM usage_rollup");
        assertThat(roller.rollAll()).isZero();
        assertThat(rows.count("SELECT SUM(requests) FROM usage_rollup")).isEqualTo(before);
        @SuppressWarnings("unchecked")
        Map<String, Object> lifetime = (Map<String, Object>) query(tenant.adminToken(), "{ usageTotals { lifetime { requests tokens } thisMonth { requests } asOf } }",
                Map.of()).at("data.usageTotals");
        assertThat(TestApi.at(lifetime, "lifetime.requests")).isEqualTo(7);

        // An event whose id the roller passes before it commits: kept as a gap, found on a later roll, counted once.
        record(tenant, "late", "2026-07-20T07:00:00Z", 1000, Map.of(), "ok");
        record(tenant, "filler", "2026-07-20T08:00:00Z", 1, Map.of(), "ok");
        long late = ((Number) rows.value("SELECT id FROM usage_event WHERE event_id = 'late'")).longValue();
        rows.execute("UPDATE usage_event SET id = ? WHERE id = ?", -late, late);
        assertThat(roller.rollAll()).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM usage_rollup_gap WHERE first_id <= ? AND last_id >= ?", late, late)).isEqualTo(1);
        rows.execute("UPDATE usage_event SET id = ? WHERE id = ?", late, -late);
        assertThat(roller.rollAll()).isEqualTo(1);
        assertThat(roller.rollAll()).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM usage_rollup_gap WHERE first_id <= ? AND last_id >= ?", late, late)).isZero();
        assertThat(tokens(series("2026-07-20", "2026-07-20", "DAY", null, "UTC"))).containsExactly("1003");
    }

    @Test
    void aPageCostsAFewStatementsWhateverItsRangeOrGroups() {
        // Each page: one statement per grain or stretch of events it reads, and one for the roll's mark (progress and gaps).
        statements.start("usage_rollup", "usage_event");
        series("2026-06-14", "2026-06-16", "DAY", "MODEL", null);
        // The organization's own days: day rows only.
        assertThat(statements.count()).isEqualTo(2);
        statements.start("usage_rollup", "usage_event");
        series("2025-07-01", "2026-06-30", "DAY", "TEAM", "Asia/Kolkata");
        // Kolkata's days never match Kathmandu's: a year of days grouped by team is one read of the events.
        assertThat(statements.count()).isEqualTo(2);
        statements.start("usage_rollup", "usage_event");
        series("2025-07-01", "2026-06-30", "MONTH", "TEAM", null);
        assertThat(statements.count()).isEqualTo(2);
        statements.start("usage_rollup", "usage_event");
        series("2026-06-01", "2026-06-30", "HOUR", null, "Asia/Kolkata");
        // A +05:30 hour is two quarters of two UTC hours: quarter rows of the total.
        assertThat(statements.count()).isEqualTo(2);
    }

    @Test
    void aReadOfTheRollsMarkServesLaterReadsUntilItsInstanceRolls() {
        // An instance of its own whose read lasts an hour; the server's roller (mark-ttl 0s) stands for another instance.
        UsageRoller instance = new UsageRoller(transactions, eventReader, clock, new RollerConfiguration(false, Duration.ofHours(1)));
        Fixtures.Tenant marked = Fixtures.tenant(api, "analytics-mark", "UTC");
        UsageRoller.Progress before = mark(instance);
        record(marked, "m1", "2026-06-15T12:00:00Z", 10, Map.of(), "ok");
        assertThat(roller.rollAll()).isEqualTo(1);
        statements.start("usage_rollup_progress");
        assertThat(mark(instance)).isEqualTo(before);
        assertThat(statements.count()).isZero();
        // Its own roll (nothing left to fold) ends the read's service at once.
        assertThat(instance.rollAll()).isZero();
        statements.start("usage_rollup_progress");
        UsageRoller.Progress after = mark(instance);
        assertThat(statements.count()).isEqualTo(1);
        assertThat(after.lastEventId()).isGreaterThan(before.lastEventId());
        assertThat(after).isEqualTo(mark(roller));
    }

    private UsageRoller.Progress mark(UsageRoller instance) {
        return transactions.executeRead(status -> {
            try {
                return instance.progress(status.getConnection());
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Rollup rows and the events read where no row fits give the answers the events give, bucket by bucket
     * and group by group, in the organization's zone and in others, by day and by hour; events recorded
     * after the last roll show in neither part.
     */
    @Test
    void everyZoneGranularityAndGroupAgreesWithTheEvents() {
        Fixtures.Tenant mixed = Fixtures.tenant(api, "analytics-mixed", "Asia/Kathmandu");
        java.util.Random random = new java.util.Random(20261126);
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        Map<java.time.Instant, String> teams = new HashMap<>();
        Map<java.time.Instant, Integer> amounts = new HashMap<>();
        java.time.Instant from = java.time.Instant.parse("2026-04-30T00:00:00Z");
        for (int i = 0; i < 240; i++) {
            java.time.Instant at = from.plusSeconds(random.nextInt(12 * 86_400));
            String team = List.of("search", "sales", "ops").get(random.nextInt(3));
            int input = 1 + random.nextInt(1000);
            if (teams.putIfAbsent(at, team) != null) {
                continue;
            }
            amounts.put(at, input + 1);
            events.add(new HashMap<>(Map.of("id", "m-" + i, "timestamp", at.toString(), "provider", "openai", "model", "gpt-4o",
                    "meters", Map.of("input_tokens", input, "output_tokens", 1), "dimensions", Map.of("team", team))));
        }
        assertThat(api.usage(mixed.apiKey(), api.write(Map.of("events", events))).status()).isEqualTo(200);
        roller.rollAll();
        Map<String, Object> late = new HashMap<>(Map.of("id", "m-late", "timestamp", "2026-05-03T12:00:00Z", "provider", "openai", "model", "gpt-4o",
                "meters", Map.of("input_tokens", 99_999, "output_tokens", 1), "dimensions", Map.of("team", "search")));
        assertThat(api.usage(mixed.apiKey(), api.write(Map.of("events", List.of(late)))).status()).isEqualTo(200);

        for (String zone : java.util.Arrays.asList(null, "UTC", "Asia/Kolkata", "Europe/Berlin", "America/St_Johns")) {
            for (String granularity : List.of("DAY", "HOUR")) {
                String to = granularity.equals("DAY") ? "2026-05-10" : "2026-05-03";
                for (String groupBy : java.util.Arrays.asList(null, "TEAM")) {
                    Map<String, Object> variables = new HashMap<>();
                    variables.put("range", Map.of("from", "2026-05-01", "to", to));
                    variables.put("granularity", granularity);
                    variables.put("groupBy", groupBy);
                    variables.put("zone", zone);
                    TestApi.Response response = query(mixed.adminToken(), SERIES, variables);
                    assertThat(response.at("errors")).as(response.body()).isNull();
                    for (Object bucket : (List<?>) response.at("data.usageSeries.buckets")) {
                        java.time.Instant start = java.time.Instant.parse((String) TestApi.at(bucket, "start"));
                        java.time.Instant end = java.time.Instant.parse((String) TestApi.at(bucket, "end"));
                        Map<String, Integer> expected = new java.util.TreeMap<>();
                        int total = 0;
                        for (Map.Entry<java.time.Instant, Integer> event : amounts.entrySet()) {
                            if (!event.getKey().isBefore(start) && event.getKey().isBefore(end)) {
                                total += event.getValue();
                                expected.merge(teams.get(event.getKey()), event.getValue(), Integer::sum);
                            }
                        }
                        String where = zone + " " + granularity + " " + groupBy + " " + start;
                        assertThat(new BigDecimal(String.valueOf(TestApi.at(bucket, "totals.tokens")))).as(where).isEqualByComparingTo(BigDecimal.valueOf(total));
                        if (groupBy != null) {
                            Map<String, Integer> actual = new java.util.TreeMap<>();
                            for (Object group : (List<?>) TestApi.at(bucket, "groups")) {
                                actual.put((String) TestApi.at(group, "key"), new BigDecimal(String.valueOf(TestApi.at(group, "totals.tokens"))).intValueExact());
                            }
                            assertThat(actual).as(where).isEqualTo(expected);
                        }
                    }
                }
            }
        }
        // Once rolled, the late event counts in rows and in events alike: in the organization's day and in Kolkata's.
        roller.rollAll();
        int may3 = amounts.entrySet().stream().filter(event -> event.getKey().atZone(java.time.ZoneId.of("Asia/Kolkata")).toLocalDate()
                .equals(java.time.LocalDate.of(2026, 5, 3))).mapToInt(Map.Entry::getValue).sum();
        Map<String, Object> variables = new HashMap<>(Map.of("range", Map.of("from", "2026-05-03", "to", "2026-05-03"), "groupBy", "TEAM", "zone", "Asia/Kolkata"));
        TestApi.Response kolkata = query(mixed.adminToken(), SERIES, variables);
        assertThat(new BigDecimal(String.valueOf(kolkata.at("data.usageSeries.totals.tokens")))).isEqualByComparingTo(BigDecimal.valueOf(may3 + 100_000));
    }

    @Test
    void sessionsAddUpTheirCalls() {
        Map<String, Object> chat = new HashMap<>(Map.of("id", "s1", "timestamp", "2026-08-01T10:00:00Z", "provider", "openai", "model", "gpt-4o",
                "meters", Map.of("input_tokens", 50, "output_tokens", 7), "dimensions", Map.of("session", "chat-42"), "duration_ms", 900));
        Map<String, Object> reply = new HashMap<>(chat);
        reply.putAll(Map.of("id", "s2", "timestamp", "2026-08-01T10:02:30Z", "meters", Map.of("input_tokens", 80, "output_tokens", 20), "duration_ms", 1100));
        assertThat(api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(chat, reply)))).status()).isEqualTo(200);
        roller.rollAll();
        TestApi.Response sessions = query(tenant.adminToken(), "{ usageSessions(range: {from: \"2026-08-01\", to: \"2026-08-01\"}) { totalCount"
                + " nodes { key firstAt lastAt durationMs processingMs totals { requests inputTokens outputTokens cost { amount currencyCode } } } } }", Map.of());
        assertThat(sessions.at("errors")).as(sessions.body()).isNull();
        assertThat(sessions.at("data.usageSessions.totalCount")).isEqualTo(1);
        assertThat(sessions.at("data.usageSessions.nodes.0.key")).isEqualTo("chat-42");
        assertThat(sessions.at("data.usageSessions.nodes.0.durationMs")).isEqualTo(150_000);
        assertThat(sessions.at("data.usageSessions.nodes.0.processingMs")).isEqualTo(2000);
        assertThat(sessions.at("data.usageSessions.nodes.0.totals.requests")).isEqualTo(2);
        assertThat(new BigDecimal((String) sessions.at("data.usageSessions.nodes.0.totals.inputTokens"))).isEqualByComparingTo("130");
        assertThat(new BigDecimal((String) sessions.at("data.usageSessions.nodes.0.totals.outputTokens"))).isEqualByComparingTo("27");
        assertThat(query(other.adminToken(), "{ usageSession(key: \"chat-42\") { key } }", Map.of()).at("data.usageSession")).isNull();
    }

    @Test
    void badInputGetsTypedErrors() {
        Map<String, Object> reversed = new HashMap<>(Map.of("range", Map.of("from", "2026-06-17", "to", "2026-06-14")));
        assertThat(query(tenant.adminToken(), SERIES, reversed).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        Map<String, Object> tooLong = new HashMap<>(Map.of("range", Map.of("from", "2026-01-01", "to", "2026-03-01"), "granularity", "HOUR"));
        TestApi.Response hours = query(tenant.adminToken(), SERIES, tooLong);
        assertThat(hours.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat((String) hours.at("errors.0.message")).contains("at most 31 days");
        assertThat(query(tenant.adminToken(), SERIES, Map.of("zone", "Mars/Olympus")).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(query(tenant.adminToken(), BREAKDOWN, Map.of("by", "MODEL", "first", 101)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void tenantsNeverSeeEachOther() {
        TestApi.Response foreign = query(other.adminToken(), SERIES, Map.of("org", tenant.organizationId()));
        assertThat(foreign.at("data")).isNull();
        assertThat(foreign.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        // The other organization's 5,000 tokens never show in this one's series.
        assertThat(tokens(series("2026-06-15", "2026-06-15", "DAY", null, "UTC"))).containsExactly("0");
    }
}
