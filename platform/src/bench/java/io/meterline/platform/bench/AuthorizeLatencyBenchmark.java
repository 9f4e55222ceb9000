package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetService;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Latency of {@code POST /v1/authorize} at half the server's peak rate, next to a plain Micronaut JSON
 * endpoint ({@link BenchEchoController}) at the same rate in the same run. A command, not a test; see
 * {@code platform/BENCHMARK.md}. {@link AuthorizeLoad} measures.
 */
public final class AuthorizeLatencyBenchmark {

    static final double WARM_UP_MAX_SECONDS = 120;
    static final String JWT_SECRET = "meterline-benchmark-jwt-secret-0123456789-0123456789-0123456789ab";

    private AuthorizeLatencyBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(AuthorizeLatencyBenchmark::run);
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        int clients = Integer.getInteger("peak.clients", 8);
        double peakSeconds = Double.parseDouble(System.getProperty("peak.seconds", "10"));
        double loadSeconds = Double.parseDouble(System.getProperty("load.seconds", "20"));
        // Holds in Redis (the multi-instance deployment) unless -Dredis.uri= is given empty.
        String redisUri = System.getProperty("redis.uri", "redis://127.0.0.1:6379");
        requireBenchDatabase(databaseUrl);
        createDatabaseIfMissing(databaseUrl, user, password);
        System.out.println("Meterline authorize latency benchmark");
        System.out.printf(Locale.ROOT, "  database %s, holds in %s, %d CPUs, closed loop: %d clients for %.0f s, load: open loop at 50 %% of the sustained peak for %.0f s%n",
                databaseUrl, redisUri.isEmpty() ? "the database" : "Redis " + redisUri, Runtime.getRuntime().availableProcessors(), clients, peakSeconds,
                loadSeconds);

        Map<String, Object> properties = serverProperties(databaseUrl, user, password);
        properties.put("meterline.bench.echo", true);
        if (!redisUri.isEmpty()) {
            properties.put("redis.uri", redisUri);
            properties.put("meterline.redis.prefix", "meterline-bench-" + java.util.UUID.randomUUID() + ":");
        }
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Viewer admin = new Viewer(0, "bench@local", Role.PLATFORM_ADMIN, null);
            Organization organization = context.getBean(AccountService.class)
                    .createOrganization(admin, new AccountService.NewOrganization("Benchmark", "bench", "USD", "UTC"));
            ApiKeyService.CreatedKey key = context.getBean(ApiKeyService.class).createFor(organization.id(), "benchmark");
            createBudgets(context.getBean(BudgetService.class), admin, organization);

            byte[] body = ("{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"dimensions\":{\"member\":\"alice\",\"team\":\"search\",\"project\":\"p1\"},"
                    + "\"estimate\":{\"tokens\":\"1200\",\"requests\":1},\"ttl_seconds\":60}").getBytes(StandardCharsets.UTF_8);
            LatencyLoad load = new LatencyLoad(4);
            HttpRequest authorize = load.request(server.getURI().resolve("/v1/authorize"), "Bearer " + key.secret(), body);
            HttpRequest echo = load.request(server.getURI().resolve("/bench/echo"), null, body);
            warmUp(load, List.of(authorize, echo), clients);

            // The load runs in this JVM: a sender in a JVM of its own measured a higher floor on two cores (the plain
            // endpoint against itself: p99 ~39 ms at 838/s; in this JVM its p99 measured 19-25 ms), its JIT and GC threads competing too.
            int exitCode = AuthorizeLoad.measure(load, authorize, echo, clients, peakSeconds, loadSeconds);
            server.stop();
            return exitCode;
        }
    }

    /**
     * Closed-loop rounds of 5 s on every endpoint until the JIT compilers rest (under 2 % of a round's time spent compiling),
     * at most {@link #WARM_UP_MAX_SECONDS}: a compilation during the measurement takes one of the two cores away from
     * whichever endpoint happens to be measured.
     */
    private static void warmUp(LatencyLoad load, List<HttpRequest> requests, int clients) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        long compiling;
        double seconds;
        do {
            long before = jit.getTotalCompilationTime();
            for (HttpRequest request : requests) {
                load.closedLoop(request, clients, 5);
            }
            compiling = jit.getTotalCompilationTime() - before;
            seconds = (System.nanoTime() - started) / 1e9;
        }
        while (compiling > 0.02 * 5_000 * requests.size() && seconds < WARM_UP_MAX_SECONDS);
        System.out.printf(Locale.ROOT, "  warm-up %.0f s (not counted), until the JIT compiled for %,d ms in the last %d s%n", seconds, compiling,
                5 * requests.size());
    }

    /** A few active budgets the calls match, one HARD with ample room so every call takes the reservation path. */
    private static void createBudgets(BudgetService budgets, Viewer admin, Organization organization) {
        String organizationId = GlobalId.encode("Organization", organization.id());
        BigDecimal ample = Budget.Metric.COST.maxLimit();
        budgets.create(admin, new BudgetService.NewBudget(organizationId, "Hard requests", Budget.Metric.REQUESTS, null, null,
                Budget.Scope.ORGANIZATION, null, Budget.Period.DAY, ample, List.of(50, 80), Budget.Enforcement.HARD, null, null));
        budgets.create(admin, new BudgetService.NewBudget(organizationId, "Tokens", Budget.Metric.TOKENS, null, null,
                Budget.Scope.ORGANIZATION, null, Budget.Period.MONTH, ample, List.of(50, 80), null, null, null));
        budgets.create(admin, new BudgetService.NewBudget(organizationId, "Team", Budget.Metric.TOKENS, null, null,
                Budget.Scope.TEAM, "search", Budget.Period.DAY, ample, List.of(80), null, null, null));
        budgets.create(admin, new BudgetService.NewBudget(organizationId, "Cost", Budget.Metric.COST, null, null,
                Budget.Scope.ORGANIZATION, null, Budget.Period.MONTH, ample, List.of(90), null, null, null));
        System.out.println("  4 budgets active (one HARD on requests)");
    }

    static Map<String, Object> serverProperties(String databaseUrl, String user, String password) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("datasources.default.url", databaseUrl);
        properties.put("datasources.default.username", user);
        properties.put("datasources.default.password", password);
        properties.put("flyway.datasources.default.clean-schema", true);
        properties.put("meterline.jwt-secret", JWT_SECRET);
        properties.put("meterline.bootstrap-admin.email", "");
        return properties;
    }

    static void requireBenchDatabase(String databaseUrl) {
        if (!databaseName(databaseUrl).toLowerCase(Locale.ROOT).contains("bench") && !Boolean.getBoolean("allow.wipe")) {
            throw new IllegalArgumentException("The benchmark empties its database (Flyway clean); use one whose name contains 'bench'");
        }
    }

    static String databaseName(String databaseUrl) {
        String path = databaseUrl.substring(databaseUrl.indexOf("//") + 2);
        String name = path.substring(path.indexOf('/') + 1);
        int parameters = name.indexOf('?');
        return parameters < 0 ? name : name.substring(0, parameters);
    }

    static void createDatabaseIfMissing(String databaseUrl, String user, String password) throws Exception {
        String name = databaseName(databaseUrl);
        if (!name.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("unexpected database name " + name);
        }
        String serverUrl = databaseUrl.substring(0, databaseUrl.indexOf('/', databaseUrl.indexOf("//") + 2) + 1);
        try (Connection connection = DriverManager.getConnection(serverUrl, user, password); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS " + name);
        }
    }
}
