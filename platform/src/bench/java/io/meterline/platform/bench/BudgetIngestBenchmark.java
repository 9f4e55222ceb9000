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
import java.math.BigDecimal;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ingestion with budgets and alerts active as a percentage of plain ingestion, in the same run on the
 * same server: two organizations, one without budgets ("plain") and one with budgets whose thresholds
 * are crossed during the run ("budgets"), receive the same request bodies; the timed batches are
 * split into rounds and each round is sent to both, alternating which goes first. A command, not a
 * test; see {@code platform/BENCHMARK.md}.
 */
public final class BudgetIngestBenchmark {

    static final double TARGET_PERCENT = 80;
    private static final String[] TEAMS = {"support", "sales", "growth", "platform", "research", "voice-ops", "marketing", "finance"};

    private BudgetIngestBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(BudgetIngestBenchmark::run);
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        // The bench profile passes the ingestion benchmark's default (1,000,000); two sides of that would take too long here.
        String eventsProperty = System.getProperty("events", "200000").replace(",", "").replace("_", "");
        int events = Integer.parseInt("1000000".equals(eventsProperty) ? "200000" : eventsProperty);
        int batch = Integer.getInteger("batch", 1000);
        int clients = Integer.getInteger("clients", 4);
        int warmupBatches = Math.min(Integer.getInteger("warmup", 30), 30);
        int rounds = Integer.getInteger("rounds", 4);
        boolean hot = "hot".equalsIgnoreCase(System.getProperty("corpus", "mixed").trim());
        long seed = Long.parseLong(System.getProperty("seed", "20261125").trim());
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        System.out.println("Meterline ingestion with budgets and alerts vs plain");
        System.out.printf(Locale.ROOT, "  events %,d per side (+%,d warm-up each), batch %,d, clients %d, corpus %s, %d rounds alternating the order%n", events,
                warmupBatches * batch, batch, clients, hot ? "hot (one key, gpt-4o, today)" : "mixed (30 days, ten kinds)", rounds);
        CpuMeter cpuMeter;
        try (Connection connection = DriverManager.getConnection(databaseUrl, user, password)) {
            cpuMeter = CpuMeter.forDatabase(connection);
        }
        EventCorpus corpus = EventCorpus.generate(warmupBatches * batch + events, batch, EventCorpus.Timestamps.ORDERED, seed, Instant.now(), hot);

        try (ApplicationContext context = ApplicationContext.run(AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password))) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Viewer admin = new Viewer(0, "bench@local", Role.PLATFORM_ADMIN, null);
            AccountService accounts = context.getBean(AccountService.class);
            ApiKeyService apiKeys = context.getBean(ApiKeyService.class);
            Organization plainOrganization = accounts.createOrganization(admin, new AccountService.NewOrganization("Plain", "plain", "USD", "UTC"));
            Organization budgetOrganization = accounts.createOrganization(admin, new AccountService.NewOrganization("Budgets", "budgets", "USD", "UTC"));
            ApiKeyService.CreatedKey plainKey = apiKeys.createFor(plainOrganization.id(), "benchmark");
            ApiKeyService.CreatedKey budgetKey = apiKeys.createFor(budgetOrganization.id(), "benchmark");
            BudgetService budgets = context.getBean(BudgetService.class);
            IngestBenchmark.createBudgets(budgets, admin, budgetOrganization);
            createCrossingBudgets(budgets, admin, budgetOrganization, corpus.size(), hot);

            URI usageUri = server.getURI().resolve("/v1/usage");
            IngestBenchmark.ApiSender plainSender = new IngestBenchmark.ApiSender(usageUri, plainKey.secret(), clients);
            IngestBenchmark.ApiSender budgetSender = new IngestBenchmark.ApiSender(usageUri, budgetKey.secret(), clients);
            // Each organization's first batch alone: concurrent first batches of a new organization can deadlock in the
            // ledger's first-row insert (LedgerStore.lock) on MariaDB; see BENCHMARK.md.
            PairedIngest.check(new IngestBenchmark.ApiSender(usageUri, plainKey.secret(), 1).send(corpus, 0, 1, false), "plain first batch");
            PairedIngest.check(new IngestBenchmark.ApiSender(usageUri, budgetKey.secret(), 1).send(corpus, 0, 1, false), "budgets first batch");
            PairedIngest.check(plainSender.send(corpus, 1, warmupBatches, false), "plain warm-up");
            PairedIngest.check(budgetSender.send(corpus, 1, warmupBatches, false), "budgets warm-up");

            PairedIngest.Side plain = new PairedIngest.Side("plain (no budgets)", plainSender);
            PairedIngest.Side withBudgets = new PairedIngest.Side("budgets + alerts", budgetSender);
            PairedIngest.rounds(corpus, warmupBatches, rounds, cpuMeter, plain, withBudgets);
            server.stop();

            List<String> failures = new ArrayList<>();
            long alerts;
            try (Connection connection = DriverManager.getConnection(databaseUrl, user, password)) {
                for (Organization organization : List.of(plainOrganization, budgetOrganization)) {
                    long stored = PairedIngest.count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ?", organization.id());
                    if (stored != corpus.size()) {
                        failures.add(organization.slug() + ": usage_event holds " + stored + " rows, sent " + corpus.size());
                    }
                }
                alerts = PairedIngest.count(connection, "SELECT COUNT(*) FROM alert WHERE organization_id = ?", budgetOrganization.id());
            }
            PairedIngest.checkAccepted(List.of(plain, withBudgets), failures);
            double percent = withBudgets.rate() / plain.rate() * 100;
            PairedIngest.printSides(List.of(plain, withBudgets));
            System.out.printf(Locale.ROOT, "  budgets active       %d (6 never crossed, %d crossing thresholds); alerts raised %d (warm-up included)%n",
                    6 + TEAMS.length + 1, TEAMS.length + 1, alerts);
            System.out.printf(Locale.ROOT, "  rate with budgets    %.1f %% of plain%n", percent);
            System.out.printf(Locale.ROOT, "  CPU cost ratio       %.1f %% (plain CPU per event / budgets CPU per event; not moved by other processes)%n",
                    plain.cpuPerThousand() / withBudgets.cpuPerThousand() * 100);
            System.out.printf(Locale.ROOT, "  target >= %.0f %%      %s%n", TARGET_PERCENT, percent >= TARGET_PERCENT ? "PASS" : "FAIL");
            return PairedIngest.exitCode(failures);
        }
    }

    /**
     * Budgets whose thresholds the timed events cross, so alerts are raised while timing: one REQUESTS
     * budget per team (the corpus spreads events evenly over eight teams) and one for the organization,
     * each over the whole run (TOTAL; today in the hot corpus), limits sized to the events sent (warm-up included, which
     * crosses the lowest threshold of some before timing).
     */
    private static void createCrossingBudgets(BudgetService budgets, Viewer admin, Organization organization, int events, boolean hot) {
        String organizationId = GlobalId.encode("Organization", organization.id());
        List<Integer> thresholds = List.of(25, 50, 75, 90, 100);
        budgets.create(admin, new BudgetService.NewBudget(organizationId, "Requests", Budget.Metric.REQUESTS, null, null, Budget.Scope.ORGANIZATION, null,
                hot ? Budget.Period.DAY : Budget.Period.TOTAL, BigDecimal.valueOf(events), thresholds, null, null, null));
        for (String team : TEAMS) {
            budgets.create(admin, new BudgetService.NewBudget(organizationId, "Team " + team, Budget.Metric.REQUESTS, null, null, Budget.Scope.TEAM, team,
                    hot ? Budget.Period.DAY : Budget.Period.TOTAL, BigDecimal.valueOf(Math.max(1, events / TEAMS.length)), thresholds, null, null, null));
        }
    }
}
