package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Dashboard queries over {@code usage_rollup} against the same answers computed by SQL over the raw
 * {@code usage_event} table, in the same run, on MariaDB. A command, not a test; see
 * {@code platform/BENCHMARK.md}. Events are generated in the database ({@code seq_1_to_N}), spread over
 * the last 365 days and {@code -Dorgs} organizations, then rolled up; each query then runs
 * {@code -Drepeats} times for random organizations.
 */
public final class AnalyticsBenchmark {

    private static final String ADMIN_EMAIL = "bench-admin@meterline.local";
    private static final String ADMIN_PASSWORD = "quarterly-figures-check-7781";
    private static final String[] ZONES = {"UTC", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"};
    private static final String LINES = "[{\"meter\":\"input_tokens\",\"quantity\":1200,\"billableQuantity\":1200,\"unitPrice\":2.5,\"per\":1000000,"
            + "\"currency\":\"USD\",\"amount\":0.003,\"rateId\":1,\"rateVersion\":1,\"plugin\":\"openai@1\"},{\"meter\":\"output_tokens\",\"quantity\":300,"
            + "\"billableQuantity\":300,\"unitPrice\":10,\"per\":1000000,\"currency\":\"USD\",\"amount\":0.003,\"rateId\":2,\"rateVersion\":1,\"plugin\":\"openai@1\"}]";

    private AnalyticsBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(AnalyticsBenchmark::run);
    }

    /** One dashboard query: its GraphQL text and the raw-SQL baseline giving the same figures. */
    private record Query(String name, String graphql, String raw) {
    }

    private static int run() throws Exception {
        String databaseUrl = System.getProperty("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        long events = Long.getLong("events", 2_000_000);
        int orgs = Integer.getInteger("orgs", 50);
        int repeats = Integer.getInteger("repeats", 40);
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        System.out.println("Meterline analytics benchmark");
        System.out.printf(Locale.ROOT, "  database %s, %,d events over 365 days and %d organizations, %d runs per query%n", databaseUrl, events, orgs, repeats);

        Map<String, Object> properties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        properties.put("meterline.bootstrap-admin.email", ADMIN_EMAIL);
        properties.put("meterline.bootstrap-admin.password", ADMIN_PASSWORD);
        properties.put("meterline.analytics.scheduled-roll", false);
        try (ApplicationContext context = ApplicationContext.run(properties); Connection raw = DriverManager.getConnection(databaseUrl, user, password)) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Viewer admin = new Viewer(0, ADMIN_EMAIL, Role.PLATFORM_ADMIN, null);
            List<Organization> organizations = new ArrayList<>();
            for (int i = 0; i < orgs; i++) {
                organizations.add(context.getBean(AccountService.class).createOrganization(admin,
                        new AccountService.NewOrganization("Bench " + i, "bench-" + i, "USD", ZONES[i % ZONES.length])));
            }
            long firstOrg = organizations.get(0).id();
            long started = System.nanoTime();
            try (Statement statement = raw.createStatement()) {
                statement.execute("INSERT INTO usage_event (organization_id, event_id, content_hash, occurred_at, received_at, provider, model, status,"
                        + " duration_ms, requests, account_id, member_key, team, project, department, feature, tool, integration, mode, priced, cost, currency,"
                        + " priced_lines) SELECT " + firstOrg + " + seq % " + orgs + ", CONCAT('e', seq), LPAD(seq, 64, '0'),"
                        + " UTC_TIMESTAMP() - INTERVAL FLOOR(seq * 31536 / " + Math.max(1, events / 1000) + ") SECOND - INTERVAL 1 HOUR,"
                        + " UTC_TIMESTAMP(), 'openai', ELT(1 + seq % 3, 'gpt-4o', 'gpt-4o-mini', 'o1'), IF(seq % 50 = 0, 'rate_limited', 'ok'), 800, 1,"
                        + " CONCAT('ACC-', seq % 20), CONCAT('m', seq % 10), ELT(1 + seq % 4, 'search', 'sales', 'ops', 'support'), CONCAT('p', seq % 5),"
                        + " ELT(1 + seq % 3, 'eng', 'fin', 'hr'), ELT(1 + seq % 4, 'chat', 'search', 'summary', 'code'), CONCAT('tool', seq % 5),"
                        + " ELT(1 + seq % 3, 'slack', 'gmail', 'web'), ELT(1 + seq % 2, 'fast', 'deep'), 1, 0.006, 'USD', '" + LINES + "'"
                        + " FROM seq_1_to_" + events);
            }
            System.out.printf(Locale.ROOT, "  generated %,d events in %.1f s%n", events, (System.nanoTime() - started) / 1e9);
            started = System.nanoTime();
            int rolled = context.getBean(UsageRoller.class).rollAll();
            double rollSeconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "  rolled up %,d events in %.1f s (%,.0f events/s)%n", rolled, rollSeconds, rolled / rollSeconds);

            TestApi api = new TestApi(server.getURI(), context.getBean(JsonMapper.class));
            String token = api.login(ADMIN_EMAIL, ADMIN_PASSWORD);
            // Raw baselines: the organization's zone as its offset now (no DST correction: the baseline is given the easier job).
            String localDay = "DATE(occurred_at + INTERVAL ? MINUTE)";
            List<Query> queries = List.of(
                    new Query("30 days daily", "query($org: ID) { usageSeries(organizationId: $org, range: {preset: LAST_30_DAYS}, granularity: DAY) {"
                            + " buckets { date totals { requests cost { amount } } } } }",
                            "SELECT " + localDay + " AS d, COUNT(*), SUM(cost) FROM usage_event WHERE organization_id = ? AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 30 DAY GROUP BY d"),
                    new Query("12 months monthly", "query($org: ID) { usageSeries(organizationId: $org, range: {from: \"" + java.time.LocalDate.now().minusMonths(11).withDayOfMonth(1)
                            + "\", to: \"" + java.time.LocalDate.now() + "\"}, granularity: MONTH) { buckets { date totals { requests cost { amount } } } } }",
                            "SELECT DATE_FORMAT(occurred_at + INTERVAL ? MINUTE, '%Y-%m') AS m, COUNT(*), SUM(cost) FROM usage_event WHERE organization_id = ?"
                                    + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 366 DAY GROUP BY m"),
                    new Query("model breakdown 30 days", "query($org: ID) { usageBreakdown(organizationId: $org, range: {preset: LAST_30_DAYS}, by: MODEL) {"
                            + " groups { key totals { requests cost { amount } } costShare } } }",
                            "SELECT model, COUNT(*), SUM(cost), ? FROM usage_event WHERE organization_id = ? AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 30 DAY GROUP BY model"),
                    new Query("7 days daily by team", "query($org: ID) { usageSeries(organizationId: $org, range: {preset: LAST_7_DAYS}, granularity: DAY, groupBy: TEAM) {"
                            + " buckets { date groups { key totals { requests } } } } }",
                            "SELECT " + localDay + " AS d, team, COUNT(*) FROM usage_event WHERE organization_id = ? AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 7 DAY GROUP BY d, team"),
                    new Query("totals", "query($org: ID) { usageTotals(organizationId: $org) { lifetime { requests cost { amount } } thisMonth { requests } } }",
                            "SELECT COUNT(*), SUM(cost), ? FROM usage_event WHERE organization_id = ?"));
            Random random = new Random(20261126);
            boolean pass = true;
            System.out.println("RESULT (milliseconds; API = GraphQL over HTTP, raw = SQL over usage_event)");
            for (Query query : queries) {
                long[] apiTimes = new long[repeats];
                long[] rawTimes = new long[repeats];
                for (int i = -5; i < repeats; i++) {
                    Organization organization = organizations.get(random.nextInt(orgs));
                    long t0 = System.nanoTime();
                    TestApi.Response response = api.graphql(token, query.graphql(), Map.of("org", GlobalId.encode("Organization", organization.id())));
                    long t1 = System.nanoTime();
                    if (response.at("errors") != null) {
                        throw new IllegalStateException(query.name() + ": " + response.body());
                    }
                    int offset = ZoneId.of(organization.timeZone()).getRules().getOffset(Instant.now()).getTotalSeconds() / 60;
                    try (PreparedStatement statement = raw.prepareStatement(query.raw())) {
                        int parameter = 1;
                        if (query.raw().contains("?")) {
                            if (query.raw().indexOf('?') < query.raw().indexOf("organization_id")) {
                                statement.setInt(parameter++, offset);
                            }
                            statement.setLong(parameter, organization.id());
                        }
                        try (ResultSet rows = statement.executeQuery()) {
                            while (rows.next()) {
                                rows.getObject(1);
                            }
                        }
                    }
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        apiTimes[i] = t1 - t0;
                        rawTimes[i] = t2 - t1;
                    }
                }
                double apiP50 = percentile(apiTimes, 50);
                double apiP95 = percentile(apiTimes, 95);
                double rawP95 = percentile(rawTimes, 95);
                boolean ok = apiP95 < 50 && rawP95 / apiP95 >= 20;
                pass &= ok;
                System.out.printf(Locale.ROOT, "  %-26s API p50 %7.2f p95 %7.2f | raw p50 %8.2f p95 %8.2f | raw/API p95 %6.1fx  %s%n", query.name(), apiP50, apiP95,
                        percentile(rawTimes, 50), rawP95, rawP95 / apiP95, ok ? "PASS" : "FAIL");
            }
            System.out.println("  targets: API p95 < 50 ms and at least 20x faster than raw SQL: " + (pass ? "PASS" : "FAIL"));
            server.stop();
            return 0;
        }
    }

    private static double percentile(long[] nanos, double percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
