package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ingestion benchmark (a command, not a test): records N events through {@code POST /v1/usage}
 * of the real server, started in this JVM against MariaDB, and in the same run inserts the same
 * rows with plain JDBC multi-row inserts into a bare copy of {@code usage_event} (primary key only),
 * then prints both rates and their ratio. See {@code platform/BENCHMARK.md} for the command.
 *
 * <p>Exits 0 when every batch was answered 200 and the database holds exactly the events sent,
 * whether or not the throughput targets are met; 1 on a correctness failure; 2 when it cannot run.
 */
public final class IngestBenchmark {

    /** The targets. */
    static final double TARGET_EVENTS_PER_SECOND = 10_000;
    static final double TARGET_RATIO = 0.40;

    private static final String JWT_SECRET = "meterline-benchmark-jwt-secret-0123456789-0123456789-0123456789ab";
    private static final String RAW_TABLE = "bench_raw_event";
    private static final String RAW_COLUMNS = "organization_id, event_id, content_hash, occurred_at, received_at, provider, model, status, duration_ms,"
            + " requests, api_key_id, account_id, member_key, team, project, department, feature, tool, integration, session_key, mode, tags,"
            + " priced, cost, currency, priced_lines";
    private static final int RAW_COLUMN_COUNT = 26;
    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    private static final Pattern DUPLICATES = Pattern.compile("\"duplicates\"\\s*:\\s*(\\d+)");
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_]+");
    private static final int SAMPLES_PER_KIND = 64;

    private final Options options;
    private final Map<String, CpuMeter.Usage> cpu = new HashMap<>();
    private CpuMeter cpuMeter;

    private IngestBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        int exitCode;
        try {
            exitCode = new IngestBenchmark(Options.fromSystemProperties()).run();
        }
        catch (Throwable e) {
            System.out.println();
            System.out.println("BENCHMARK ERROR: " + e);
            e.printStackTrace(System.out);
            exitCode = 2;
        }
        System.out.flush();
        System.exit(exitCode);
    }

    /** What the command line chose, from system properties. */
    record Options(int events, int batch, int clients, int warmupBatches, String databaseUrl, String databaseUser, String databasePassword,
                   EventCorpus.Timestamps timestamps, boolean rawFirst, long seed, boolean allowWipe) {

        static Options fromSystemProperties() {
            Options options = new Options(
                    intProperty("events", 1_000_000),
                    intProperty("batch", 1_000),
                    intProperty("clients", 4),
                    intProperty("warmup", 100),
                    BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench"),
                    System.getProperty("db.user", "root"),
                    System.getProperty("db.password", ""),
                    EventCorpus.Timestamps.valueOf(System.getProperty("timestamps", "ordered").trim().toUpperCase(Locale.ROOT)),
                    "raw-first".equalsIgnoreCase(System.getProperty("order", "api-first").trim()),
                    Long.parseLong(System.getProperty("seed", "20261125").trim()),
                    Boolean.parseBoolean(System.getProperty("allow.wipe", "false").trim()));
            if (options.events < 1 || options.batch < 1 || options.clients < 1 || options.warmupBatches < 1) {
                throw new IllegalArgumentException("events, batch, clients and warmup must be at least 1");
            }
            return options;
        }

        private static int intProperty(String name, int fallback) {
            String value = System.getProperty(name);
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim().replace("_", "").replace(",", ""));
        }
    }

    /** One timed (or warm-up) pass over a range of batches. */
    record Run(long events, long nanos, long accepted, long duplicates, long[] batchNanos, String failure) {

        double seconds() {
            return nanos / 1e9;
        }

        double eventsPerSecond() {
            return events / seconds();
        }

        long percentileMillis(double percentile) {
            if (batchNanos.length == 0) {
                return 0;
            }
            long[] sorted = batchNanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
            return TimeUnit.NANOSECONDS.toMillis(sorted[Math.max(0, index)]);
        }
    }

    /** What the server stored for one provider/model: sizes the raw rows' priced_lines, cost and currency. */
    record Sample(String pricedLines, BigDecimal cost, String currency) {
    }

    private int run() throws Exception {
        String databaseName = databaseName(options.databaseUrl);
        if (!databaseName.toLowerCase(Locale.ROOT).contains("bench") && !options.allowWipe) {
            throw new IllegalArgumentException("The benchmark empties database " + databaseName + " (Flyway clean); point db.url at a database"
                    + " whose name contains 'bench', or pass -Dallow.wipe=true");
        }
        int warmupEvents = Math.min(options.warmupBatches, Integer.MAX_VALUE / options.batch) * options.batch;
        System.out.println("Meterline ingestion benchmark");
        System.out.printf(Locale.ROOT, "  events %,d (+%,d warm-up), batch %,d, clients %d, timestamps %s, order %s%n", options.events, warmupEvents,
                options.batch, options.clients, options.timestamps.name().toLowerCase(Locale.ROOT), options.rawFirst ? "raw-first" : "api-first");
        System.out.printf(Locale.ROOT, "  database %s, %d CPUs, heap max %,d MB, load average %.2f%n", options.databaseUrl,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        createDatabaseIfMissing(databaseName);
        try (Connection connection = connect(options)) {
            cpuMeter = CpuMeter.forDatabase(connection);
        }
        long generationStart = System.nanoTime();
        EventCorpus corpus = EventCorpus.generate(warmupEvents + options.events, options.batch, options.timestamps, options.seed, Instant.now(),
                "hot".equalsIgnoreCase(System.getProperty("corpus", "mixed").trim()));
        System.out.printf(Locale.ROOT, "  generated %,d events in %,d bodies (%,d bytes per event of JSON) in %.1f s (not timed)%n", corpus.size(),
                corpus.batchCount(), corpus.bodyBytes() / corpus.size(), (System.nanoTime() - generationStart) / 1e9);

        try (ApplicationContext context = ApplicationContext.run(serverProperties())) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Viewer admin = new Viewer(0, "bench@local", Role.PLATFORM_ADMIN, null);
            Organization organization = context.getBean(AccountService.class)
                    .createOrganization(admin, new AccountService.NewOrganization("Benchmark", "bench", "USD", "UTC"));
            ApiKeyService.CreatedKey key = context.getBean(ApiKeyService.class).createFor(organization.id(), "benchmark");
            long organizationId = organization.id();
            long apiKeyId = key.apiKey().id();
            if (Boolean.getBoolean("budgets")) {
                createBudgets(context.getBean(io.meterline.platform.budget.BudgetService.class), admin, organization);
            }
            URI usageUri = server.getURI().resolve("/v1/usage");
            System.out.println("  server " + usageUri + ", organization " + organizationId + ", API key " + key.apiKey().prefix() + "...");

            ApiSender api = new ApiSender(usageUri, key.secret(), options.clients);
            RawInserter raw = new RawInserter(options, organizationId, apiKeyId);
            int warmupBatches = warmupEvents / options.batch;
            int batches = corpus.batchCount();

            Run apiWarmup = api.send(corpus, 0, warmupBatches, false);
            if (apiWarmup.failure() != null) {
                return fail("warm-up through the API failed: " + apiWarmup.failure());
            }
            raw.prepare(samples(organizationId));
            Run rawWarmup = raw.insert(corpus, 0, warmupBatches, false);
            if (rawWarmup.failure() != null) {
                return fail("warm-up of the raw inserts failed: " + rawWarmup.failure());
            }
            System.out.printf(Locale.ROOT, "  warm-up: API %,.0f events/s, raw %,.0f rows/s (not counted)%n",
                    apiWarmup.eventsPerSecond(), rawWarmup.eventsPerSecond());

            Run apiRun;
            Run rawRun;
            if (options.rawFirst) {
                rawRun = timed("raw JDBC", () -> raw.insert(corpus, warmupBatches, batches, true));
                apiRun = timed("API", () -> api.send(corpus, warmupBatches, batches, true));
            }
            else {
                apiRun = timed("API", () -> api.send(corpus, warmupBatches, batches, true));
                rawRun = timed("raw JDBC", () -> raw.insert(corpus, warmupBatches, batches, true));
            }
            server.stop();

            List<String> failures = new ArrayList<>();
            if (apiRun.failure() != null) {
                failures.add("API: " + apiRun.failure());
            }
            if (rawRun.failure() != null) {
                failures.add("raw inserts: " + rawRun.failure());
            }
            if (apiRun.failure() == null && (apiRun.accepted() != options.events || apiRun.duplicates() != 0)) {
                failures.add(String.format(Locale.ROOT, "API accepted %,d and reported %,d duplicates of %,d events sent", apiRun.accepted(),
                        apiRun.duplicates(), options.events));
            }
            Map<String, Long> counts = verify(organizationId, corpus.size(), failures);
            report(corpus, apiRun, rawRun, counts);
            if (!failures.isEmpty()) {
                failures.forEach(failure -> System.out.println("CORRECTNESS FAILURE: " + failure));
                return 1;
            }
            return 0;
        }
    }

    /** {@code -Dbudgets=true}: ingestion with active budgets of every scope kind the corpus carries, each event matching several. */
    static void createBudgets(io.meterline.platform.budget.BudgetService budgets, Viewer admin, Organization organization) {
        String organizationId = io.meterline.platform.common.GlobalId.encode("Organization", organization.id());
        Object[][] specs = {
            {"Today", io.meterline.platform.budget.Budget.Metric.TOKENS, io.meterline.platform.budget.Budget.Scope.ORGANIZATION, null, io.meterline.platform.budget.Budget.Period.DAY},
            {"Month cost", io.meterline.platform.budget.Budget.Metric.COST, io.meterline.platform.budget.Budget.Scope.ORGANIZATION, null, io.meterline.platform.budget.Budget.Period.MONTH},
            {"Per minute", io.meterline.platform.budget.Budget.Metric.REQUESTS, io.meterline.platform.budget.Budget.Scope.ORGANIZATION, null, io.meterline.platform.budget.Budget.Period.MINUTE},
            {"Total", io.meterline.platform.budget.Budget.Metric.TOKENS, io.meterline.platform.budget.Budget.Scope.ORGANIZATION, null, io.meterline.platform.budget.Budget.Period.TOTAL},
            {"Account", io.meterline.platform.budget.Budget.Metric.TOKENS, io.meterline.platform.budget.Budget.Scope.ACCOUNT_ID, "acct-0001", io.meterline.platform.budget.Budget.Period.DAY},
            {"Project", io.meterline.platform.budget.Budget.Metric.REQUESTS, io.meterline.platform.budget.Budget.Scope.PROJECT, "project-3", io.meterline.platform.budget.Budget.Period.WEEK},
        };
        for (Object[] spec : specs) {
            budgets.create(admin, new io.meterline.platform.budget.BudgetService.NewBudget(organizationId, (String) spec[0],
                    (io.meterline.platform.budget.Budget.Metric) spec[1], null, null, (io.meterline.platform.budget.Budget.Scope) spec[2], (String) spec[3],
                    (io.meterline.platform.budget.Budget.Period) spec[4], ((io.meterline.platform.budget.Budget.Metric) spec[1]).maxLimit(), java.util.List.of(50, 80, 95),
                    null, null, null));
        }
        System.out.println("  " + specs.length + " budgets active");
    }

    private interface TimedPass {
        Run run() throws Exception;
    }

    private Run timed(String name, TimedPass pass) throws Exception {
        System.out.println("  timing " + name + " ...");
        CpuMeter.Snapshot start = cpuMeter.snapshot();
        Run run = pass.run();
        cpu.put(name, cpuMeter.since(start));
        return run;
    }

    private static int fail(String message) {
        System.out.println("CORRECTNESS FAILURE: " + message);
        return 1;
    }

    private Map<String, Object> serverProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("datasources.default.url", options.databaseUrl);
        properties.put("datasources.default.username", options.databaseUser);
        properties.put("datasources.default.password", options.databasePassword);
        // micronaut-flyway runs flyway.clean() before migrating (and lifts Flyway's cleanDisabled): every run starts empty.
        properties.put("flyway.datasources.default.clean-schema", true);
        properties.put("meterline.jwt-secret", JWT_SECRET);
        properties.put("meterline.bootstrap-admin.email", "");
        if (options.batch > 1000) {
            System.out.println("  note: batch > 1000 raises the server's meterline.usage.max-batch-size to " + options.batch);
            properties.put("meterline.usage.max-batch-size", options.batch);
        }
        return properties;
    }

    // ---------------------------------------------------------------------------------------------
    // The API side

    /** Sends batches to {@code POST /v1/usage} from a fixed number of threads over HTTP/1.1 keep-alive connections. */
    static final class ApiSender {

        private final URI uri;
        private final String authorization;
        private final int clients;
        private final HttpClient http;

        ApiSender(URI uri, String secret, int clients) {
            this.uri = uri;
            this.authorization = "Bearer " + secret;
            this.clients = clients;
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        }

        Run send(EventCorpus corpus, int fromBatch, int toBatch, boolean progress) throws Exception {
            AtomicLong accepted = new AtomicLong();
            AtomicLong duplicates = new AtomicLong();
            return inParallel(clients, corpus, fromBatch, toBatch, progress, "API", new BatchWork() {
                @Override
                public void open() {
                }

                @Override
                public void run(int batch) throws Exception {
                    HttpRequest request = HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofMinutes(5))
                            .header("Content-Type", "application/json")
                            .header("Authorization", authorization)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(corpus.body(batch)))
                            .build();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("batch " + batch + " got HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
                    }
                    accepted.addAndGet(number(ACCEPTED, response.body(), batch));
                    duplicates.addAndGet(number(DUPLICATES, response.body(), batch));
                }

                @Override
                public void close() {
                }
            }, accepted, duplicates);
        }

        private static long number(Pattern pattern, String body, int batch) {
            // The field follows the long results array, so take the last match.
            Matcher matcher = pattern.matcher(body);
            String found = null;
            while (matcher.find()) {
                found = matcher.group(1);
            }
            if (found == null) {
                throw new IllegalStateException("batch " + batch + ": the 200 answer has no " + pattern.pattern() + ": " + abbreviate(body));
            }
            return Long.parseLong(found);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The raw JDBC side

    /**
     * Inserts the same events as rows of {@code bench_raw_event}: usage_event's columns and types
     * (created with {@code CREATE TABLE ... LIKE}), with every index but the primary key dropped,
     * one multi-row INSERT and one commit per batch, one connection per client thread.
     */
    private static final class RawInserter {

        private final Options options;
        private final long organizationId;
        private final long apiKeyId;
        private Map<String, List<Sample>> samples;

        RawInserter(Options options, long organizationId, long apiKeyId) {
            this.options = options;
            this.organizationId = organizationId;
            this.apiKeyId = apiKeyId;
        }

        void prepare(Map<String, List<Sample>> samplesByProviderModel) throws SQLException {
            this.samples = samplesByProviderModel;
            try (Connection connection = connect(options); Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + RAW_TABLE);
                statement.execute("CREATE TABLE " + RAW_TABLE + " LIKE usage_event");
                List<String> indexes = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT DISTINCT index_name FROM information_schema.statistics"
                        + " WHERE table_schema = DATABASE() AND table_name = '" + RAW_TABLE + "' AND index_name <> 'PRIMARY'")) {
                    while (rows.next()) {
                        indexes.add(rows.getString(1));
                    }
                }
                for (String index : indexes) {
                    statement.execute("ALTER TABLE " + RAW_TABLE + " DROP INDEX `" + index + "`");
                }
                System.out.println("  raw table " + RAW_TABLE + ": usage_event's columns, primary key only (dropped " + indexes + ")");
            }
        }

        Run insert(EventCorpus corpus, int fromBatch, int toBatch, boolean progress) throws Exception {
            return inParallel(options.clients, corpus, fromBatch, toBatch, progress, "raw", new BatchWork() {
                private final ThreadLocal<Connection> connection = new ThreadLocal<>();
                private final ThreadLocal<PreparedStatement> fullBatch = new ThreadLocal<>();
                private final List<Connection> opened = Collections.synchronizedList(new ArrayList<>());

                @Override
                public void open() throws SQLException {
                    Connection own = connect(options);
                    own.setAutoCommit(false);
                    opened.add(own);
                    connection.set(own);
                    fullBatch.set(own.prepareStatement(insertSql(corpus.batchSize())));
                }

                @Override
                public void run(int batch) throws SQLException {
                    List<EventCorpus.Event> rows = corpus.batch(batch);
                    Connection own = connection.get();
                    boolean full = rows.size() == corpus.batchSize();
                    PreparedStatement statement = full ? fullBatch.get() : own.prepareStatement(insertSql(rows.size()));
                    try {
                        bind(statement, rows, LocalDateTime.ofInstant(Instant.now(), ZoneOffset.UTC));
                        int inserted = statement.executeUpdate();
                        own.commit();
                        if (inserted != rows.size()) {
                            throw new IllegalStateException("batch " + batch + " inserted " + inserted + " of " + rows.size() + " rows");
                        }
                    }
                    finally {
                        if (!full) {
                            statement.close();
                        }
                    }
                }

                @Override
                public void close() {
                    for (Connection own : opened) {
                        try {
                            own.close();
                        }
                        catch (SQLException ignored) {
                            // Closing after the clock stopped; nothing to report.
                        }
                    }
                }
            }, null, null);
        }

        private static String insertSql(int rows) {
            String tuple = "(" + String.join(", ", Collections.nCopies(RAW_COLUMN_COUNT, "?")) + ")";
            return "INSERT INTO " + RAW_TABLE + " (" + RAW_COLUMNS + ") VALUES " + String.join(",", Collections.nCopies(rows, tuple));
        }

        private void bind(PreparedStatement statement, List<EventCorpus.Event> rows, LocalDateTime receivedAt) throws SQLException {
            int column = 1;
            for (EventCorpus.Event event : rows) {
                List<Sample> kindSamples = samples.get(event.kind().providerModel());
                Sample sample = kindSamples.get(Math.floorMod(event.eventId().hashCode(), kindSamples.size()));
                statement.setLong(column++, organizationId);
                statement.setString(column++, event.eventId());
                statement.setString(column++, event.contentHash());
                statement.setObject(column++, event.occurredAt());
                statement.setObject(column++, receivedAt);
                statement.setString(column++, event.kind().provider);
                statement.setString(column++, event.kind().model);
                statement.setString(column++, event.status());
                if (event.durationMs() == null) {
                    statement.setNull(column++, Types.BIGINT);
                }
                else {
                    statement.setLong(column++, event.durationMs());
                }
                statement.setInt(column++, 1);
                statement.setLong(column++, apiKeyId);
                for (String value : event.dimensions()) {
                    statement.setString(column++, value);
                }
                statement.setString(column++, event.tagsJson());
                statement.setBoolean(column++, sample.cost() != null);
                statement.setBigDecimal(column++, sample.cost());
                statement.setString(column++, sample.currency());
                statement.setString(column++, sample.pricedLines());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Shared plumbing

    /** What one client thread does: open its resources (untimed), send batches, close. */
    private interface BatchWork {
        void open() throws Exception;

        void run(int batch) throws Exception;

        void close();
    }

    /**
     * Runs batches {@code fromBatch} (inclusive) to {@code toBatch} (exclusive) from {@code clients}
     * threads taking the next batch from a shared counter. The clock starts once every thread has
     * opened its resources and stops when the last batch is answered; the first failure stops all.
     */
    private static Run inParallel(int clients, EventCorpus corpus, int fromBatch, int toBatch, boolean progress, String label, BatchWork work,
                                  AtomicLong accepted, AtomicLong duplicates) throws Exception {
        AtomicInteger next = new AtomicInteger(fromBatch);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        long[] batchNanos = new long[Math.max(0, toBatch - fromBatch)];
        int progressStep = Math.max(1, batchNanos.length / 10);
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong startNanos = new AtomicLong();
        long[] lastProgress = new long[2];
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int client = 0; client < clients; client++) {
                futures.add(threads.submit(() -> {
                    try {
                        try {
                            work.open();
                        }
                        finally {
                            ready.countDown();
                        }
                        go.await();
                        for (int batch = next.getAndIncrement(); batch < toBatch && failure.get() == null; batch = next.getAndIncrement()) {
                            long begin = System.nanoTime();
                            work.run(batch);
                            batchNanos[batch - fromBatch] = System.nanoTime() - begin;
                            int completed = done.incrementAndGet();
                            if (progress && completed % progressStep == 0 && completed < batchNanos.length) {
                                synchronized (lastProgress) {
                                    long now = System.nanoTime() - startNanos.get();
                                    long events = (long) completed * corpus.batchSize();
                                    System.out.printf(Locale.ROOT, "    %-3s %3d%%  %,9d events in %5.1f s, %,7.0f/s overall, %,7.0f/s since the last line%n", label,
                                            completed * 100L / batchNanos.length, events, now / 1e9, events / (now / 1e9),
                                            (events - lastProgress[1]) / ((now - lastProgress[0]) / 1e9));
                                    lastProgress[0] = now;
                                    lastProgress[1] = events;
                                }
                            }
                        }
                    }
                    catch (Throwable e) {
                        failure.compareAndSet(null, e.getMessage() == null ? e.toString() : e.getMessage());
                    }
                    return null;
                }));
            }
            ready.await();
            startNanos.set(System.nanoTime());
            go.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
            long nanos = System.nanoTime() - startNanos.get();
            long events = 0;
            for (int batch = fromBatch; batch < toBatch; batch++) {
                events += corpus.eventsIn(batch);
            }
            return new Run(events, nanos, accepted == null ? events : accepted.get(), duplicates == null ? 0 : duplicates.get(), batchNanos,
                    failure.get());
        }
        finally {
            threads.shutdownNow();
            work.close();
        }
    }

    /**
     * Up to {@value #SAMPLES_PER_KIND} stored rows per provider/model, from the warm-up: what the
     * server really writes as priced_lines, cost and currency. The raw rows cycle through them.
     */
    private Map<String, List<Sample>> samples(long organizationId) throws SQLException {
        Map<String, List<Sample>> samples = new HashMap<>();
        try (Connection connection = connect(options);
             PreparedStatement statement = connection.prepareStatement("SELECT provider, model, priced_lines, cost, currency FROM usage_event"
                     + " WHERE organization_id = ? AND status = 'ok' ORDER BY id LIMIT 10000")) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    List<Sample> kind = samples.computeIfAbsent(rows.getString(1) + "/" + rows.getString(2), key -> new ArrayList<>());
                    if (kind.size() < SAMPLES_PER_KIND) {
                        kind.add(new Sample(rows.getString(3), rows.getBigDecimal(4), rows.getString(5)));
                    }
                }
            }
        }
        for (EventCorpus.Kind kind : EventCorpus.Kind.values()) {
            if (!samples.containsKey(kind.providerModel())) {
                throw new IllegalStateException("The warm-up stored no " + kind.providerModel() + " event to size the raw rows by; raise -Dwarmup");
            }
        }
        return samples;
    }

    /** Checks that the database holds exactly what was sent, and returns the counts for the report. */
    private Map<String, Long> verify(long organizationId, long expected, List<String> failures) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (Connection connection = connect(options); Statement statement = connection.createStatement()) {
            counts.put("usage_event", single(statement, "SELECT COUNT(*) FROM usage_event WHERE organization_id = " + organizationId));
            counts.put("usage_bucket requests", single(statement, "SELECT COALESCE(SUM(requests), 0) FROM usage_bucket WHERE organization_id = " + organizationId));
            counts.put(RAW_TABLE, single(statement, "SELECT COUNT(*) FROM " + RAW_TABLE));
            counts.put("usage_event priced_lines bytes", single(statement, "SELECT COALESCE(ROUND(AVG(LENGTH(priced_lines))), 0) FROM usage_event"));
            counts.put(RAW_TABLE + " priced_lines bytes", single(statement, "SELECT COALESCE(ROUND(AVG(LENGTH(priced_lines))), 0) FROM " + RAW_TABLE));
        }
        for (String table : List.of("usage_event", "usage_bucket requests", RAW_TABLE)) {
            if (counts.get(table) != expected) {
                failures.add(String.format(Locale.ROOT, "%s holds %,d, expected %,d (warm-up included)", table, counts.get(table), expected));
            }
        }
        return counts;
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void report(EventCorpus corpus, Run apiRun, Run rawRun, Map<String, Long> counts) {
        double ratio = apiRun.eventsPerSecond() / rawRun.eventsPerSecond();
        boolean rateMet = apiRun.failure() == null && apiRun.eventsPerSecond() >= TARGET_EVENTS_PER_SECOND;
        boolean ratioMet = apiRun.failure() == null && rawRun.failure() == null && ratio >= TARGET_RATIO;
        System.out.println();
        System.out.println("RESULT");
        System.out.printf(Locale.ROOT, "  events                 %,d in batches of %,d from %d clients (%s timestamps)%n", apiRun.events(), corpus.batchSize(),
                options.clients, options.timestamps.name().toLowerCase(Locale.ROOT));
        System.out.printf(Locale.ROOT, "  API  POST /v1/usage    %8.2f s  %,10.0f events/s  (batch latency p50 %,d ms, p95 %,d ms, max %,d ms)%n",
                apiRun.seconds(), apiRun.eventsPerSecond(), apiRun.percentileMillis(50), apiRun.percentileMillis(95), apiRun.percentileMillis(100));
        System.out.printf(Locale.ROOT, "  raw  JDBC multi-row    %8.2f s  %,10.0f rows/s    (batch latency p50 %,d ms, p95 %,d ms, max %,d ms)%n",
                rawRun.seconds(), rawRun.eventsPerSecond(), rawRun.percentileMillis(50), rawRun.percentileMillis(95), rawRun.percentileMillis(100));
        System.out.printf(Locale.ROOT, "  ratio API/raw          %.1f %%%n", ratio * 100);
        System.out.printf(Locale.ROOT, "  stored                 usage_event %,d rows, usage_bucket requests %,d, %s %,d rows (warm-up included);"
                + " priced_lines avg %,d vs %,d bytes%n", counts.get("usage_event"), counts.get("usage_bucket requests"), RAW_TABLE, counts.get(RAW_TABLE),
                counts.get("usage_event priced_lines bytes"), counts.get(RAW_TABLE + " priced_lines bytes"));
        printCpu("API", apiRun);
        printCpu("raw JDBC", rawRun);
        CpuMeter.Usage apiCpu = cpu.get("API");
        CpuMeter.Usage rawCpu = cpu.get("raw JDBC");
        if (apiCpu != null && rawCpu != null && !Double.isNaN(apiCpu.databaseSeconds()) && !Double.isNaN(rawCpu.databaseSeconds())) {
            // What the ratio would be if both passes were CPU-bound on a machine of their own.
            double apiPerEvent = (apiCpu.jvmSeconds() + apiCpu.databaseSeconds()) / apiRun.events();
            double rawPerEvent = (rawCpu.jvmSeconds() + rawCpu.databaseSeconds()) / rawRun.events();
            System.out.printf(Locale.ROOT, "  CPU cost ratio raw/API %.1f %% (JVM + MariaDB CPU per event; unaffected by other processes, ignores I/O waits)%n",
                    rawPerEvent / apiPerEvent * 100);
        }
        System.out.printf(Locale.ROOT, "  target >= %,.0f events/s  %s%n", TARGET_EVENTS_PER_SECOND, rateMet ? "PASS" : "FAIL");
        System.out.printf(Locale.ROOT, "  target >= %.0f %% of raw     %s%n", TARGET_RATIO * 100, ratioMet ? "PASS" : "FAIL");
    }

    private void printCpu(String name, Run run) {
        CpuMeter.Usage usage = cpu.get(name);
        if (usage == null) {
            return;
        }
        double perThousand = 1000.0 / run.events();
        System.out.printf(Locale.ROOT, "  CPU %-9s          JVM %.1f s, MariaDB %s, other processes %s, of %d CPUs x %.1f s;"
                        + " per 1,000 events: JVM %.0f ms + MariaDB %s%n", name, usage.jvmSeconds(), seconds(usage.databaseSeconds()),
                seconds(usage.otherSeconds()), usage.processors(), usage.wallSeconds(), usage.jvmSeconds() * perThousand * 1000,
                Double.isNaN(usage.databaseSeconds()) ? "n/a" : String.format(Locale.ROOT, "%.0f ms", usage.databaseSeconds() * perThousand * 1000));
        double otherShare = usage.otherSeconds() / (usage.processors() * usage.wallSeconds());
        if (otherShare > 0.15) {
            System.out.printf(Locale.ROOT, "  WARNING: other processes used %.0f %% of the machine during the %s run: its rate is understated%n",
                    otherShare * 100, name);
        }
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f s", value);
    }

    // ---------------------------------------------------------------------------------------------
    // Database plumbing

    private static Connection connect(Options options) throws SQLException {
        return DriverManager.getConnection(options.databaseUrl, options.databaseUser, options.databasePassword);
    }

    /** Connects to the server named by the URL, without the database, and creates the database. */
    private void createDatabaseIfMissing(String databaseName) throws SQLException {
        String url = options.databaseUrl;
        int slash = url.indexOf('/', url.indexOf("//") + 2);
        int end = endOfDatabaseName(url, slash + 1);
        String serverUrl = url.substring(0, slash + 1) + url.substring(end);
        try (Connection connection = DriverManager.getConnection(serverUrl, options.databaseUser, options.databasePassword);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS `" + databaseName + "`");
        }
    }

    static String databaseName(String url) {
        int hosts = url.indexOf("//");
        int slash = hosts < 0 ? -1 : url.indexOf('/', hosts + 2);
        if (slash < 0) {
            throw new IllegalArgumentException("db.url names no database: " + url);
        }
        String name = url.substring(slash + 1, endOfDatabaseName(url, slash + 1));
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("db.url's database name must be letters, digits and underscores: " + url);
        }
        return name;
    }

    private static int endOfDatabaseName(String url, int from) {
        int end = url.length();
        for (char separator : new char[] {'?', ';'}) {
            int at = url.indexOf(separator, from);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return end;
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 600 ? String.valueOf(text) : text.substring(0, 600) + "...";
    }
}
