package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.analytics.AnalyticsService;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.analytics.HoursOfWeek;
import io.meterline.platform.analytics.TimeGrid;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.time.DayRange;
import io.micronaut.context.ApplicationContext;
import io.micronaut.data.model.Pageable;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Issue 5's speed targets, in one run on MariaDB; a command, not a test (see {@code platform/BENCHMARK.md}).
 * <ol>
 * <li>Events are generated in the database ({@code seq_1_to_N}) over the last 365 days and {@code -Dorgs}
 * organizations in five zones, with the 15-minute aggregates ingestion keeps, and rolled up: first a tenth
 * of them, then the rest.</li>
 * <li>At both sizes every dashboard query runs {@code -Drepeats} times for random organizations through
 * GraphQL over HTTP, and the same figures by SQL over {@code usage_event}: p95 under 50 ms, at least 20x
 * faster than the SQL, and no slower with ten times the events. The SQL runs {@code -Draw.repeats} (10) times: over
 * millions of rows it takes seconds.</li>
 * <li>Ingestion through {@code POST /v1/usage} (with the roller folding every 5 s) alone, then while
 * {@code -Dusers} simulated dashboard users each load a whole client dashboard page every second: at
 * least 80 % of the solo rate.</li>
 * </ol>
 */
public final class AnalyticsBenchmark {

    private static final String ADMIN_EMAIL = "bench-admin@meterline.local";
    private static final String ADMIN_PASSWORD = "quarterly-figures-check-7781";
    private static final String[] ZONES = {"UTC", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"};
    private static final String LINES = "[{\"meter\":\"input_tokens\",\"quantity\":1200,\"billableQuantity\":1200,\"unitPrice\":2.5,\"per\":1000000,"
            + "\"currency\":\"USD\",\"amount\":0.003,\"rateId\":1,\"rateVersion\":1,\"plugin\":\"openai@1\"},{\"meter\":\"output_tokens\",\"quantity\":300,"
            + "\"billableQuantity\":300,\"unitPrice\":10,\"per\":1000000,\"currency\":\"USD\",\"amount\":0.003,\"rateId\":2,\"rateVersion\":1,\"plugin\":\"openai@1\"}]";
    /** The organizations bill in CAD: 0.006 USD at the bundled file's last USD-to-CAD rate (1.5726 / 1.1476), as ingestion converts it. */
    private static final String FX_RATE = "1.370338096898";
    private static final String BILLING_COST = "0.008222029";
    private static final double TARGET_P95_MILLIS = 50;
    private static final double TARGET_SPEED_UP = 20;
    private static final double TARGET_INGEST_SHARE = 0.80;

    private AnalyticsBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(AnalyticsBenchmark::run);
    }

    /**
     * One dashboard query and its raw-SQL baseline giving the same figures, tokens included (summed from each event's
     * priced lines, where the answers' rollups took them from), with {@code :org}, {@code :offset} (the zone's
     * offset now, in minutes: no DST correction, the easier job), {@code :month} (the UTC month's start) and
     * {@code :week} (this local week's Monday, as a UTC time) filled in; null when the answer is
     * itself a read of events (an event list), which is timed against the p95 target only.
     */
    private record Query(String name, boolean admin, String graphql, String raw, Answer answer) {

        Query(String name, boolean admin, String graphql, String raw) {
            this(name, admin, graphql, raw, null);
        }
    }

    /** The same figures from the rollups in process (AnalyticsService, no HTTP or GraphQL): the data path raw SQL is compared with. */
    private interface Answer {
        void run(AnalyticsService analytics, long organizationId, ZoneId zone);
    }

    /** Timings of one query at one size, in nanoseconds. */
    private record Timing(long[] api, long[] answer, long[] raw) {
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        long events = Long.getLong("events", 10_000_000);
        int orgs = Integer.getInteger("orgs", 50);
        int repeats = Integer.getInteger("repeats", 40);
        int users = Integer.getInteger("users", 5);
        int ingestEvents = Integer.getInteger("ingest.events", 200_000);
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        System.out.println("Meterline analytics benchmark");
        Map<String, Object> properties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        properties.put("meterline.bootstrap-admin.email", ADMIN_EMAIL);
        properties.put("meterline.bootstrap-admin.password", ADMIN_PASSWORD);
        // The benchmark rolls up itself: all at once after generating, every 5 s while ingesting.
        properties.put("meterline.analytics.scheduled-roll", false);
        // The benchmark's one signed-in user sends thousands of queries a minute: the per-caller query cost budget (issue 15)
        // would refuse most of them, and what is timed is the answer, not the budget.
        properties.put("meterline.graphql.cost-per-minute", 1_000_000_000);
        // -Dphase=ingestion: only the last step, on the organizations and events an earlier run left in the database.
        // -Dphase=queries: only the timings at the size the database holds (no growth figure).
        String phase = System.getProperty("phase", "all");
        if (!List.of("all", "ingestion", "queries").contains(phase)) {
            throw new IllegalArgumentException("-Dphase is all, ingestion or queries, not " + phase);
        }
        boolean ingestionOnly = phase.equals("ingestion");
        boolean queriesOnly = phase.equals("queries");
        // Either single step reuses the organizations and events of an earlier run.
        boolean reuse = ingestionOnly || queriesOnly;
        if (reuse) {
            properties.put("flyway.datasources.default.clean-schema", false);
        }
        try (ApplicationContext context = ApplicationContext.run(properties); Connection raw = DriverManager.getConnection(databaseUrl, user, password)) {
            try (Statement statement = raw.createStatement()) {
                statement.execute("SET time_zone = '+00:00'");
                ResultSet pool = statement.executeQuery("SELECT @@innodb_buffer_pool_size");
                pool.next();
                System.out.printf(Locale.ROOT, "  database %s (InnoDB buffer pool %,d MB)%s%n", databaseUrl, pool.getLong(1) >> 20, reuse ? ""
                        : String.format(Locale.ROOT, ", %,d events over 365 days and %d organizations, %d runs per query", events, orgs, repeats));
            }
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Viewer admin = new Viewer(0, ADMIN_EMAIL, Role.PLATFORM_ADMIN, null);
            List<Organization> organizations = new ArrayList<>();
            if (reuse) {
                organizations.addAll(context.getBean(OrganizationRepository.class).findByIdGreaterThanAndNameIlikeOrderById(0, "Bench %",
                        Pageable.from(0, orgs)));
            }
            for (int i = 0; i < orgs && !reuse; i++) {
                organizations.add(context.getBean(AccountService.class).createOrganization(admin,
                        new AccountService.NewOrganization("Bench " + i, "bench-" + i, "CAD", ZONES[i % ZONES.length])));
            }
            UsageRoller roller = context.getBean(UsageRoller.class);
            AnalyticsService analytics = context.getBean(AnalyticsService.class);
            TestApi api = new TestApi(server.getURI(), context.getBean(JsonMapper.class));
            String token = api.login(ADMIN_EMAIL, ADMIN_PASSWORD);
            List<Query> queries = queries(context.getBean(HoursOfWeek.class));
            if (reuse) {
                System.out.printf(Locale.ROOT, "  %s only, on the %d organizations already in the database%n", phase, organizations.size());
                // What a migration since asked to fold in again (V17 refolds every event), before anything is timed.
                long started = System.nanoTime();
                int rolled = roller.rollAll();
                if (rolled > 0) {
                    System.out.printf(Locale.ROOT, "  rolled up %,d events first, in %.1f s%n", rolled, (System.nanoTime() - started) / 1e9);
                }
            }
            if (ingestionOnly) {
                warmUp(api, token, queries, organizations);
                boolean kept = ingestion(context, api, token, roller, server, organizations, queries, users, ingestEvents);
                System.out.println("  ingestion target: " + (kept ? "PASS" : "FAIL"));
                server.stop();
                return 0;
            }

            if (queriesOnly) {
                try (Statement statement = raw.createStatement(); ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM usage_event")) {
                    count.next();
                    events = count.getLong(1);
                }
            }
            Map<String, Timing> small = queriesOnly ? null
                    : measureAt(raw, roller, analytics, api, token, queries, organizations, events, "(seq DIV 50) % 10 = 0", repeats);
            Map<String, Timing> large = queriesOnly ? time(raw, analytics, api, token, queries, organizations, repeats)
                    : measureAt(raw, roller, analytics, api, token, queries, organizations, events, "(seq DIV 50) % 10 <> 0", repeats);

            boolean pass = true;
            System.out.printf(Locale.ROOT, "RESULT at %,d events (milliseconds; growth 0 when only the queries ran; API = GraphQL over HTTP; answer = the same figures from AnalyticsService in process;"
                    + " raw = the same figures by SQL over usage_event)%n", events);
            System.out.printf(Locale.ROOT, "  %-26s %8s %8s | %10s | %9s %9s | %8s | %9s%n", "query", "API p50", "API p95", "answer p95", "raw p50", "raw p95",
                    "raw/ans", "growth");
            for (Query query : queries) {
                Timing at = large.get(query.name());
                double apiP95 = percentile(at.api(), 95);
                // The answer's own time where it is measured in process, else the API's (HTTP and GraphQL included).
                double answerP95 = at.answer().length > 0 ? percentile(at.answer(), 95) : apiP95;
                double growth = small == null ? 0 : apiP95 / percentile(small.get(query.name()).api(), 95);
                boolean fast = apiP95 < TARGET_P95_MILLIS && growth < 2;
                String ratio = "n/a";
                if (query.raw() != null) {
                    double speedUp = percentile(at.raw(), 95) / answerP95;
                    fast &= speedUp >= TARGET_SPEED_UP;
                    ratio = String.format(Locale.ROOT, "%7.1fx", speedUp);
                }
                pass &= fast;
                System.out.printf(Locale.ROOT, "  %-26s %8.2f %8.2f | %10s | %9s %9s | %8s | %8.2fx  %s%n", query.name(), percentile(at.api(), 50), apiP95,
                        at.answer().length > 0 ? String.format(Locale.ROOT, "%10.2f", answerP95) : "-",
                        query.raw() == null ? "-" : String.format(Locale.ROOT, "%9.2f", percentile(at.raw(), 50)),
                        query.raw() == null ? "-" : String.format(Locale.ROOT, "%9.2f", percentile(at.raw(), 95)), ratio, growth, fast ? "PASS" : "FAIL");
            }
            System.out.printf(Locale.ROOT, "  targets: API p95 < %.0f ms; the answer (in process where measured, else the API's) >= %.0fx faster than raw SQL (event lists excepted);"
                    + " API p95 < 2x its p95 at a tenth of the events (growth): %s%n",
                    TARGET_P95_MILLIS, TARGET_SPEED_UP, pass ? "PASS" : "FAIL");

            if (!queriesOnly) {
                pass &= ingestion(context, api, token, roller, server, organizations, queries, users, ingestEvents);
            }
            System.out.println("  all targets: " + (pass ? "PASS" : "FAIL"));
            server.stop();
            return 0;
        }
    }

    /** Generates the events of {@code seq_1_to_N} matching {@code which} (with their 15-minute aggregates), rolls them up and times every query. */
    private static Map<String, Timing> measureAt(Connection raw, UsageRoller roller, AnalyticsService analytics, TestApi api, String token, List<Query> queries,
                                                 List<Organization> organizations, long events, String which, int repeats) throws Exception {
        int orgs = organizations.size();
        long firstOrg = organizations.get(0).id();
        long started = System.nanoTime();
        long before;
        try (Statement statement = raw.createStatement()) {
            ResultSet max = statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM usage_event");
            max.next();
            before = max.getLong(1);
            statement.execute("INSERT INTO usage_event (organization_id, event_id, content_hash, occurred_at, received_at, provider, model, status,"
                    + " duration_ms, requests, account_id, member_key, team, project, department, feature, tool, integration, mode, priced, cost, currency,"
                    + " priced_lines, billing_cost, billing_currency, fx_rate, fx_rate_date) SELECT " + firstOrg + " + seq % " + orgs + ", CONCAT('e', seq), LPAD(seq, 64, '0'),"
                    + " UTC_TIMESTAMP() - INTERVAL FLOOR(seq * 31536 / " + Math.max(1, events / 1000) + ") SECOND - INTERVAL 1 HOUR,"
                    + " UTC_TIMESTAMP(), 'openai', ELT(1 + seq % 3, 'gpt-4o', 'gpt-4o-mini', 'o1'), IF(seq % 50 = 0, 'rate_limited', 'ok'), 800, 1,"
                    + " CONCAT('ACC-', seq % 20), CONCAT('m', seq % 10), ELT(1 + seq % 4, 'search', 'sales', 'ops', 'support'), CONCAT('p', seq % 5),"
                    + " ELT(1 + seq % 3, 'eng', 'fin', 'hr'), ELT(1 + seq % 4, 'chat', 'search', 'summary', 'code'), CONCAT('tool', seq % 5),"
                    + " ELT(1 + seq % 3, 'slack', 'gmail', 'web'), ELT(1 + seq % 2, 'fast', 'deep'), 1, 0.006, 'USD', '" + LINES + "',"
                    // Converted as ingestion converts the organizations' (CAD) USD usage at the bundled file's last rate.
                    + " " + BILLING_COST + ", 'CAD', " + FX_RATE + ", DATE '2026-03-13'"
                    + " FROM seq_1_to_" + events + " WHERE " + which);
            // What ingestion keeps in the same transaction: the 15-minute aggregates (insight's suggestions read their meters; the other admin and insight views read the rollup).
            String quarter = "FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(occurred_at) / 900) * 900)";
            statement.execute("INSERT INTO usage_bucket (organization_id, bucket_start, provider, model, billing_currency, requests, error_requests,"
                    + " unpriced_requests, billing_cost) SELECT organization_id, " + quarter + " AS q, provider, model, 'CAD', COUNT(*), SUM(status <> 'ok'), 0,"
                    + " SUM(billing_cost) FROM usage_event WHERE id > " + before + " GROUP BY organization_id, q, provider, model"
                    + " ON DUPLICATE KEY UPDATE requests = requests + VALUES(requests), error_requests = error_requests + VALUES(error_requests),"
                    + " billing_cost = billing_cost + VALUES(billing_cost)");
            for (String[] meter : new String[][] {{"input_tokens", "1200"}, {"output_tokens", "300"}}) {
                statement.execute("INSERT INTO usage_bucket_meter (organization_id, bucket_start, provider, model, meter, currency, quantity, billable_quantity,"
                        + " amount) SELECT organization_id, " + quarter + " AS q, provider, model, '" + meter[0] + "', 'USD', COUNT(*) * " + meter[1] + ", COUNT(*) * "
                        + meter[1] + ", COUNT(*) * 0.003 FROM usage_event WHERE id > " + before + " GROUP BY organization_id, q, provider, model"
                        + " ON DUPLICATE KEY UPDATE quantity = quantity + VALUES(quantity), billable_quantity = billable_quantity + VALUES(billable_quantity),"
                        + " amount = amount + VALUES(amount)");
            }
            ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM usage_event");
            count.next();
            System.out.printf(Locale.ROOT, "  generated events to %,d in %.1f s%n", count.getLong(1), (System.nanoTime() - started) / 1e9);
        }
        started = System.nanoTime();
        int rolled = roller.rollAll();
        double rollSeconds = (System.nanoTime() - started) / 1e9;
        try (Statement statement = raw.createStatement()) {
            ResultSet rows = statement.executeQuery("SELECT COUNT(*), (SELECT COUNT(*) FROM usage_event) FROM usage_rollup");
            rows.next();
            System.out.printf(Locale.ROOT, "  rolled up %,d events in %.1f s (%,.0f events/s); usage_rollup holds %,d rows for %,d events%n", rolled, rollSeconds,
                    rolled / rollSeconds, rows.getLong(1), rows.getLong(2));
        }
        return time(raw, analytics, api, token, queries, organizations, repeats);
    }

    /**
     * Times every query: the API, the answer in process where the benchmark can call it, and raw SQL. The raw SQL runs
     * after every API and answer timing: its scans of usage_event (larger than the buffer pool at 10M events) would
     * otherwise push the rollup's pages out between two API calls, and the next call would read them from disk.
     */
    private static Map<String, Timing> time(Connection raw, AnalyticsService analytics, TestApi api, String token, List<Query> queries,
                                            List<Organization> organizations, int repeats) throws Exception {
        warmUp(api, token, queries, organizations);
        Random random = new Random(20261126);
        Map<String, long[]> apiTimes = new LinkedHashMap<>();
        Map<String, long[]> answerTimes = new LinkedHashMap<>();
        for (Query query : queries) {
            long[] apiRun = new long[repeats];
            long[] answerRun = new long[query.answer() == null ? 0 : repeats];
            for (int i = -5; i < repeats; i++) {
                Organization organization = organizations.get(random.nextInt(organizations.size()));
                long t0 = System.nanoTime();
                page(api, token, List.of(query), organization);
                long t1 = System.nanoTime();
                if (query.answer() != null) {
                    query.answer().run(analytics, organization.id(), ZoneId.of(organization.timeZone()));
                }
                if (i >= 0) {
                    apiRun[i] = t1 - t0;
                    if (query.answer() != null) {
                        answerRun[i] = System.nanoTime() - t1;
                    }
                }
            }
            apiTimes.put(query.name(), apiRun);
            answerTimes.put(query.name(), answerRun);
            System.out.printf(Locale.ROOT, "    %-28s API p95 %8.2f ms%n", query.name(), percentile(apiRun, 95));
        }
        // Raw SQL over millions of rows takes seconds a run: fewer runs of it (one warm-up each).
        int rawRepeats = Math.min(repeats, Integer.getInteger("raw.repeats", 10));
        Map<String, Timing> timings = new LinkedHashMap<>();
        for (Query query : queries) {
            long[] rawTimes = new long[query.raw() == null ? 0 : rawRepeats];
            for (int i = rawTimes.length > 0 ? -1 : 0; i < rawTimes.length; i++) {
                Organization organization = organizations.get(random.nextInt(organizations.size()));
                ZoneId zone = ZoneId.of(organization.timeZone());
                int offset = zone.getRules().getOffset(Instant.now()).getTotalSeconds() / 60;
                String sql = query.raw().replace(":org", Long.toString(organization.id())).replace(":offset", Integer.toString(offset))
                        .replace(":month", "'" + LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1) + "'")
                        .replace(":week", "'" + LocalDate.now(zone).with(DayOfWeek.MONDAY).atStartOfDay(zone).withZoneSameInstant(ZoneOffset.UTC)
                                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + "'");
                long t0 = System.nanoTime();
                try (Statement statement = raw.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                    while (rows.next()) {
                        rows.getObject(1);
                    }
                }
                if (i >= 0) {
                    rawTimes[i] = System.nanoTime() - t0;
                }
            }
            if (rawTimes.length > 0) {
                System.out.printf(Locale.ROOT, "    %-28s raw p95 %9.2f ms%n", query.name(), percentile(rawTimes, 95));
            }
            timings.put(query.name(), new Timing(apiTimes.get(query.name()), answerTimes.get(query.name()), rawTimes));
        }
        return timings;
    }

    /**
     * Every query five times for every organization: a fresh JVM, or new rows, before the timings that count (with two,
     * a fresh JVM's answers still took 2-3x their time in a JVM that had also timed the smaller size).
     */
    private static void warmUp(TestApi api, String token, List<Query> queries, List<Organization> organizations) {
        for (int round = 0; round < 5; round++) {
            for (Organization organization : organizations) {
                page(api, token, queries, organization);
            }
        }
    }

    /** Runs queries as one organization's page (admin queries as the platform admin's), failing on any error. */
    private static void page(TestApi api, String token, List<Query> queries, Organization organization) {
        for (Query query : queries) {
            TestApi.Response response = api.graphql(token, query.graphql(), query.admin() ? Map.of() : Map.of("org", GlobalId.encode("Organization", organization.id())));
            if (response.at("errors") != null) {
                throw new IllegalStateException(query.name() + ": " + response.body());
            }
        }
    }

    /** Ingestion alone, then with dashboard users polling; answers whether it kept its share. */
    private static boolean ingestion(ApplicationContext context, TestApi api, String token, UsageRoller roller, EmbeddedServer server,
                                     List<Organization> organizations, List<Query> queries, int users, int ingestEvents) throws Exception {
        ApiKeyService.CreatedKey key = context.getBean(ApiKeyService.class).createFor(organizations.get(0).id(), "bench-ingest");
        int batch = 1000;
        // A seed of its own per run: events an earlier run on the same database ingested would come back DUPLICATE.
        EventCorpus corpus = EventCorpus.generate(ingestEvents + 20 * batch, batch, EventCorpus.Timestamps.ORDERED, System.nanoTime(), Instant.now());
        IngestBenchmark.ApiSender sender = new IngestBenchmark.ApiSender(server.getURI().resolve("/v1/usage"), key.secret(), 4);
        int batches = corpus.batchCount();
        int half = 20 + (batches - 20) / 2;
        ScheduledExecutorService rolling = Executors.newSingleThreadScheduledExecutor();
        rolling.scheduleWithFixedDelay(roller::rollAll, 5, 5, TimeUnit.SECONDS);
        try {
            sender.send(corpus, 0, 20, false);
            IngestBenchmark.Run solo = sender.send(corpus, 20, half, false);
            List<Query> dashboard = queries.stream().filter(query -> !query.admin()).toList();
            AtomicBoolean polling = new AtomicBoolean(true);
            List<Long> pageNanos = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pollers = Executors.newFixedThreadPool(users);
            for (int i = 0; i < users; i++) {
                Random random = new Random(i);
                pollers.submit(() -> {
                    while (polling.get()) {
                        long begin = System.nanoTime();
                        page(api, token, dashboard, organizations.get(random.nextInt(organizations.size())));
                        pageNanos.add(System.nanoTime() - begin);
                        Thread.sleep(1000);
                    }
                    return null;
                });
            }
            IngestBenchmark.Run polled;
            try {
                polled = sender.send(corpus, half, batches, false);
            }
            finally {
                polling.set(false);
                pollers.shutdown();
                pollers.awaitTermination(1, TimeUnit.MINUTES);
            }
            if (solo.failure() != null || polled.failure() != null) {
                throw new IllegalStateException("ingestion failed: " + solo.failure() + " / " + polled.failure());
            }
            double share = polled.eventsPerSecond() / solo.eventsPerSecond();
            long[] pages = pageNanos.stream().mapToLong(Long::longValue).toArray();
            System.out.printf(Locale.ROOT, "  ingestion (POST /v1/usage, 4 clients, batches of %d, rolled every 5 s): alone %,.0f events/s; with %d dashboard users"
                    + " polling a %d-query page every second %,.0f events/s = %.1f %% (target >= %.0f %%) %s%n", batch, solo.eventsPerSecond(), users,
                    dashboard.size(), polled.eventsPerSecond(), share * 100, TARGET_INGEST_SHARE * 100, share >= TARGET_INGEST_SHARE ? "PASS" : "FAIL");
            System.out.printf(Locale.ROOT, "  the users' whole pages meanwhile: %d loads, p50 %.1f ms, p95 %.1f ms%n", pages.length, percentile(pages, 50),
                    percentile(pages, 95));
            return share >= TARGET_INGEST_SHARE;
        }
        finally {
            rolling.shutdown();
            rolling.awaitTermination(5, TimeUnit.MINUTES);
        }
    }

    private static List<Query> queries(HoursOfWeek hoursOfWeek) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String localDay = "DATE(occurred_at + INTERVAL :offset MINUTE)";
        String org = "FROM usage_event WHERE organization_id = :org";
        // An event's tokens: the quantities of its token meters, read from its priced lines as the answers are.
        String tokens = "(SELECT COALESCE(SUM(t.q), 0) FROM JSON_TABLE(priced_lines, '$[*]' COLUMNS (m VARCHAR(64) PATH '$.meter',"
                + " q DECIMAL(30, 9) PATH '$.quantity')) t WHERE t.m LIKE '%tokens')";
        return List.of(
                new Query("30 days daily", false, "query($org: ID) { usageSeries(organizationId: $org, range: {preset: LAST_30_DAYS}, granularity: DAY) {"
                        + " buckets { date totals { requests tokens cost { amount } } } } }",
                        "SELECT " + localDay + " AS d, COUNT(*), SUM(" + tokens + "), SUM(billing_cost) " + org + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 30 DAY GROUP BY d",
                        (analytics, id, zone) -> analytics.series(id, new DayRange(LocalDate.now(zone).minusDays(29), LocalDate.now(zone), zone), TimeGrid.Granularity.DAY, null)),
                new Query("14 days daily", false, "query($org: ID) { usageSeries(organizationId: $org, range: {from: \"" + today.minusDays(13) + "\", to: \""
                        + today + "\"}, granularity: DAY) { buckets { date totals { requests tokens } } } }",
                        "SELECT " + localDay + " AS d, COUNT(*), SUM(" + tokens + ") " + org + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 14 DAY GROUP BY d",
                        (analytics, id, zone) -> analytics.series(id, new DayRange(LocalDate.now(zone).minusDays(13), LocalDate.now(zone), zone), TimeGrid.Granularity.DAY, null)),
                new Query("12 months monthly", false, "query($org: ID) { usageSeries(organizationId: $org, range: {from: \"" + today.minusMonths(11).withDayOfMonth(1)
                        + "\", to: \"" + today + "\"}, granularity: MONTH) { buckets { date totals { requests cost { amount } } } } }",
                        "SELECT DATE_FORMAT(occurred_at + INTERVAL :offset MINUTE, '%Y-%m') AS m, COUNT(*), SUM(billing_cost) " + org
                                + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 366 DAY GROUP BY m",
                        (analytics, id, zone) -> analytics.series(id, new DayRange(LocalDate.now(zone).minusMonths(11).withDayOfMonth(1), LocalDate.now(zone), zone),
                                TimeGrid.Granularity.MONTH, null)),
                new Query("this week's tokens", false, "query($org: ID) { usageSeries(organizationId: $org, range: {preset: CURRENT_WEEK}, granularity: WEEK) {"
                        + " buckets { date totals { tokens } } } }",
                        "SELECT SUM(" + tokens + ") " + org + " AND occurred_at >= :week",
                        (analytics, id, zone) -> analytics.series(id, new DayRange(LocalDate.now(zone).with(DayOfWeek.MONDAY), LocalDate.now(zone), zone),
                                TimeGrid.Granularity.WEEK, null)),
                new Query("model breakdown 30 days", false, "query($org: ID) { usageBreakdown(organizationId: $org, range: {preset: LAST_30_DAYS}, by: MODEL) {"
                        + " groups { key totals { requests tokens cost { amount } } costShare } } }",
                        "SELECT model, COUNT(*), SUM(" + tokens + "), SUM(billing_cost) " + org + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 30 DAY GROUP BY model",
                        (analytics, id, zone) -> analytics.breakdown(id, new DayRange(LocalDate.now(zone).minusDays(29), LocalDate.now(zone), zone), Dimension.MODEL)),
                new Query("members 30 days", false, "query($org: ID) { usageBreakdown(organizationId: $org, range: {preset: LAST_30_DAYS}, by: MEMBER, first: 100) {"
                        + " groups { key totals { requests tokens cost { amount } } tokenShare } } }",
                        "SELECT member_key, COUNT(*), SUM(" + tokens + "), SUM(billing_cost) " + org + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 30 DAY GROUP BY member_key",
                        (analytics, id, zone) -> analytics.breakdown(id, new DayRange(LocalDate.now(zone).minusDays(29), LocalDate.now(zone), zone), Dimension.MEMBER)),
                new Query("7 days daily by team", false, "query($org: ID) { usageSeries(organizationId: $org, range: {preset: LAST_7_DAYS}, granularity: DAY,"
                        + " groupBy: TEAM) { buckets { date groups { key totals { requests } } } } }",
                        "SELECT " + localDay + " AS d, team, COUNT(*) " + org + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 7 DAY GROUP BY d, team",
                        (analytics, id, zone) -> analytics.series(id, new DayRange(LocalDate.now(zone).minusDays(6), LocalDate.now(zone), zone), TimeGrid.Granularity.DAY, Dimension.TEAM)),
                new Query("totals", false, "query($org: ID) { usageTotals(organizationId: $org) { lifetime { requests tokens cost { amount } } thisMonth { requests } thisWeek { tokens } } }",
                        "SELECT COUNT(*), SUM(" + tokens + "), SUM(billing_cost), SUM(occurred_at >= :month), SUM(IF(occurred_at >= :week, " + tokens + ", 0)) " + org,
                        (analytics, id, zone) -> analytics.lifetime(id)),
                new Query("patterns 90 days", false, "query($org: ID) { usagePatterns(organizationId: $org, range: {preset: LAST_90_DAYS}) { busiestHour busiestDayOfWeek"
                        + " hoursOfDay { hour value } } }",
                        "SELECT HOUR(occurred_at + INTERVAL :offset MINUTE) AS h, DAYOFWEEK(occurred_at + INTERVAL :offset MINUTE) AS w, SUM(" + tokens + ") " + org
                                + " AND occurred_at >= UTC_TIMESTAMP() - INTERVAL 90 DAY GROUP BY h, w",
                        // Its data path: the 90 days by local weekday and hour (the period comparisons add three small reads).
                        (analytics, id, zone) -> hoursOfWeek.read(id, new DayRange(LocalDate.now(zone).minusDays(89), LocalDate.now(zone), zone))),
                new Query("projection", false, "query($org: ID) { usageProjection(organizationId: $org) { monthToDateCost { amount } projectedMonthCost { amount } } }",
                        "SELECT SUM(billing_cost) " + org + " AND occurred_at >= :month",
                        // Its data path: the month to date.
                        (analytics, id, zone) -> analytics.totalsBetween(id, List.of(LocalDate.now(zone).withDayOfMonth(1).atStartOfDay(zone).toInstant(),
                                LocalDate.now(zone).plusDays(1).atStartOfDay(zone).toInstant()), zone)),
                new Query("usage history page", false, "query($org: ID) { usageEvents(organizationId: $org, range: {preset: LAST_30_DAYS}, first: 20) { totalCount"
                        + " nodes { eventId timestamp model status inputTokens outputTokens totalTokens } } }", null),
                new Query("admin overview", true, "{ adminOverview { customers calls cost { amount } activeAlerts } }",
                        "SELECT COUNT(DISTINCT organization_id), COUNT(*), SUM(cost) FROM usage_event WHERE occurred_at >= :month"),
                new Query("admin monthly summaries", true, "{ customerMonthlySummaries(first: 20) { nodes { customer { name } cost { amount } calls } } }",
                        "SELECT organization_id, provider, COUNT(*), SUM(cost) FROM usage_event WHERE occurred_at >= :month GROUP BY organization_id, provider"),
                new Query("admin top 10 customers", true, "{ topCustomers { customers { customer { name } cost { amount } } } }",
                        "SELECT organization_id, SUM(cost) AS c FROM usage_event WHERE occurred_at >= :month GROUP BY organization_id ORDER BY c DESC LIMIT 10"));
    }

    private static double percentile(long[] nanos, double percentile) {
        if (nanos.length == 0) {
            return 0;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
