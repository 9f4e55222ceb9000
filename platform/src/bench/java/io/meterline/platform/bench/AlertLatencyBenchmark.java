package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetService;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.graphql.ws.WsClient;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Alert delivery latency across instances: two servers on one MariaDB database and the local Redis;
 * a graphql-transport-ws subscriber ({@code alertRaised}) on instance 2; ingestion on instance 1 at
 * half its peak rate; meanwhile single-event calls each cross one budget's threshold. Per alert: from
 * sending the crossing call to the message arriving at the subscriber. A command, not a test; see
 * {@code platform/BENCHMARK.md}.
 */
public final class AlertLatencyBenchmark {

    static final double TARGET_P99_MILLIS = 250;
    private static final String ADMIN_EMAIL = "bench-admin@meterline.test";
    private static final String ADMIN_PASSWORD = "bench-operator-secret-123";

    private AlertLatencyBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(AlertLatencyBenchmark::run);
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        String redisUri = System.getProperty("redis.uri", "redis://127.0.0.1:6379");
        double peakSeconds = Math.min(Double.parseDouble(System.getProperty("peak.seconds", "10")), 5);
        double loadSeconds = Double.parseDouble(System.getProperty("load.seconds", "20"));
        int clients = Integer.getInteger("clients", 4);
        int batch = 1000;
        int alertsPerSecond = Integer.getInteger("alerts.per.second", 5);
        int alertCount = (int) (alertsPerSecond * loadSeconds);
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        String prefix = "meterline-bench-" + UUID.randomUUID() + ":";
        System.out.println("Meterline alert latency benchmark");
        System.out.printf(Locale.ROOT, "  database %s, Redis %s (channel prefix %s), %d CPUs%n", databaseUrl, redisUri, prefix,
                Runtime.getRuntime().availableProcessors());

        Map<String, Object> first = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        first.put("redis.uri", redisUri);
        first.put("meterline.redis.prefix", prefix);
        first.put("meterline.bootstrap-admin.email", ADMIN_EMAIL);
        first.put("meterline.bootstrap-admin.password", ADMIN_PASSWORD);
        Map<String, Object> second = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        second.put("redis.uri", redisUri);
        second.put("meterline.redis.prefix", prefix);
        second.put("flyway.datasources.default.clean-schema", false);

        int peakBatches = (int) Math.ceil(40 * peakSeconds);
        int loadBatches = (int) Math.ceil(25 * loadSeconds);
        EventCorpus corpus = EventCorpus.generate((20 + peakBatches + loadBatches) * batch, batch, EventCorpus.Timestamps.ORDERED, 20261125, Instant.now());

        try (ApplicationContext one = ApplicationContext.run(first)) {
            EmbeddedServer serverOne = one.getBean(EmbeddedServer.class);
            serverOne.start();
            try (ApplicationContext two = ApplicationContext.run(second)) {
                EmbeddedServer serverTwo = two.getBean(EmbeddedServer.class);
                serverTwo.start();
                Viewer admin = new Viewer(0, "bench@local", Role.PLATFORM_ADMIN, null);
                Organization organization = one.getBean(AccountService.class)
                        .createOrganization(admin, new AccountService.NewOrganization("Benchmark", "bench", "USD", "UTC"));
                ApiKeyService.CreatedKey key = one.getBean(ApiKeyService.class).createFor(organization.id(), "benchmark");
                BudgetService budgets = one.getBean(BudgetService.class);
                IngestBenchmark.createBudgets(budgets, admin, organization);
                String organizationId = GlobalId.encode("Organization", organization.id());
                // One budget per crossing: two requests allowed, a 50 % threshold, so its first request raises exactly one alert.
                for (int index = 0; index < alertCount; index++) {
                    budgets.create(admin, new BudgetService.NewBudget(organizationId, "Crossing " + index, Budget.Metric.REQUESTS, null, null,
                            Budget.Scope.TEAM, "crossing-" + index, Budget.Period.TOTAL, new BigDecimal("2"), List.of(50), null, null, null));
                }
                System.out.printf(Locale.ROOT, "  instances %s and %s; %d crossing budgets + 6 others%n", serverOne.getURI(), serverTwo.getURI(), alertCount);

                JsonMapper json = one.getBean(JsonMapper.class);
                String token = new TestApi(serverOne.getURI(), json).login(ADMIN_EMAIL, ADMIN_PASSWORD);
                URI usageUri = serverOne.getURI().resolve("/v1/usage");
                IngestBenchmark.ApiSender sender = new IngestBenchmark.ApiSender(usageUri, key.secret(), clients);
                // The organization's first batch alone: concurrent first batches of a new organization can deadlock in the
                // ledger's first-row insert (LedgerStore.lock) on MariaDB; see BENCHMARK.md.
                check(new IngestBenchmark.ApiSender(usageUri, key.secret(), 1).send(corpus, 0, 1, false), "first batch");
                check(sender.send(corpus, 1, 20, false), "warm-up");
                IngestBenchmark.Run peakRun = sender.send(corpus, 20, 20 + peakBatches, false);
                check(peakRun, "peak");
                double peak = peakRun.eventsPerSecond();
                double batchesPerSecond = peak / 2 / batch;
                System.out.printf(Locale.ROOT, "  instance 1 peak %,.0f events/s (closed loop, %d clients, %,d events); background load %,.0f events/s%n", peak,
                        clients, peakRun.events(), peak / 2);

                try (WsClient subscriber = WsClient.initialised(serverTwo.getURI(), json, token)) {
                    subscriber.subscribe("1", "subscription { alertRaised { sequence kind subject } }", Map.of());
                    Thread.sleep(500);
                    Map<String, Long> sent = new ConcurrentHashMap<>();
                    Map<String, Long> arrived = new ConcurrentHashMap<>();
                    AtomicReference<String> failure = new AtomicReference<>();
                    Thread receiver = new Thread(() -> {
                        while (arrived.size() < alertCount && !Thread.currentThread().isInterrupted()) {
                            Map<String, Object> message = subscriber.poll(Duration.ofMillis(200));
                            if (message == null) {
                                continue;
                            }
                            long now = System.nanoTime();
                            Object subject = TestApi.at(message, "payload.data.alertRaised.subject");
                            if (subject instanceof String name && name.startsWith("Crossing ")) {
                                arrived.putIfAbsent(name, now);
                            }
                            else if (!"next".equals(message.get("type"))) {
                                failure.compareAndSet(null, "unexpected message " + message);
                            }
                        }
                    }, "alert-receiver");
                    receiver.setDaemon(true);
                    receiver.start();

                    // Background ingestion: open loop, batches on a fixed schedule, sent by a pool of threads.
                    ExecutorService background = Executors.newFixedThreadPool(clients);
                    IngestBenchmark.ApiSender oneBatch = new IngestBenchmark.ApiSender(usageUri, key.secret(), 1);
                    AtomicInteger nextBatch = new AtomicInteger(20 + peakBatches);
                    long interval = (long) (1e9 / batchesPerSecond);
                    long backgroundStart = System.nanoTime();
                    Thread scheduler = new Thread(() -> {
                        for (long index = 0; !Thread.currentThread().isInterrupted(); index++) {
                            long wait = backgroundStart + index * interval - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            int body = nextBatch.getAndIncrement();
                            if (body >= corpus.batchCount()) {
                                return;
                            }
                            background.execute(() -> {
                                try {
                                    check(oneBatch.send(corpus, body, body + 1, false), "background batch");
                                }
                                catch (Exception e) {
                                    failure.compareAndSet(null, e.toString());
                                }
                            });
                        }
                    }, "background-load");
                    scheduler.setDaemon(true);
                    scheduler.start();
                    Thread.sleep(1000);

                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    long crossingInterval = 1_000_000_000L / alertsPerSecond;
                    long crossingStart = System.nanoTime();
                    for (int index = 0; index < alertCount && failure.get() == null; index++) {
                        long wait = crossingStart + index * crossingInterval - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        String body = "{\"events\":[{\"id\":\"crossing-" + index + "\",\"timestamp\":\"" + Instant.now() + "\",\"provider\":\"images\","
                                + "\"model\":\"dall-e-3\",\"meters\":{\"images\":1},\"dimensions\":{\"team\":\"crossing-" + index + "\"}}]}";
                        HttpRequest request = HttpRequest.newBuilder(usageUri).header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + key.secret()).POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        sent.put("Crossing " + index, System.nanoTime());
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            failure.compareAndSet(null, "crossing call " + index + ": HTTP " + response.statusCode() + " " + response.body());
                        }
                    }
                    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (arrived.size() < alertCount && System.nanoTime() < waitUntil) {
                        Thread.sleep(50);
                    }
                    double backgroundSeconds = (System.nanoTime() - backgroundStart) / 1e9;
                    int backgroundBatches = nextBatch.get() - 20 - peakBatches;
                    scheduler.interrupt();
                    scheduler.join();
                    background.shutdown();
                    background.awaitTermination(1, TimeUnit.MINUTES);
                    receiver.interrupt();
                    if (failure.get() != null) {
                        System.out.println("CORRECTNESS FAILURE: " + failure.get());
                        return 1;
                    }
                    List<Long> latencies = new ArrayList<>();
                    for (Map.Entry<String, Long> entry : arrived.entrySet()) {
                        latencies.add(entry.getValue() - sent.get(entry.getKey()));
                    }
                    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                    System.out.println("RESULT");
                    System.out.printf(Locale.ROOT, "  background ingestion  %,d batches of %,d in %.1f s on instance 1 (target %,.0f events/s)%n",
                            Math.min(backgroundBatches, corpus.batchCount()), batch, backgroundSeconds, peak / 2);
                    System.out.printf(Locale.ROOT, "  alerts                %d of %d crossings arrived at the subscriber on instance 2%n", sorted.length, alertCount);
                    if (sorted.length > 0) {
                        System.out.printf(Locale.ROOT, "  latency (call sent -> message received)  p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 100));
                    }
                    boolean pass = sorted.length == alertCount && percentile(sorted, 99) < TARGET_P99_MILLIS;
                    System.out.printf(Locale.ROOT, "  target p99 < %.0f ms    %s%n", TARGET_P99_MILLIS, pass ? "PASS" : "FAIL");
                    return sorted.length == alertCount ? 0 : 1;
                }
            }
        }
    }

    private static double percentile(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static void check(IngestBenchmark.Run run, String what) {
        if (run.failure() != null) {
            throw new IllegalStateException(what + " failed: " + run.failure());
        }
    }
}
