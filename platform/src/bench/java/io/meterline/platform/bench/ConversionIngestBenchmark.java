package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ingestion with conversion into the billing currency as a percentage of ingestion without it, in the
 * same run on the same database: two server instances, one with {@code meterline.usage.conversion.at-ingestion}
 * off ("plain") and one with it on ("converted"), each with its own organization billed in CAD (so
 * USD and EUR usage converts through cross rates of the bundled file), receive the same request
 * bodies; the timed batches are split into rounds and each round is sent to both, alternating which
 * goes first. A command, not a test; see {@code platform/BENCHMARK.md}.
 */
public final class ConversionIngestBenchmark {

    static final double TARGET_PERCENT = 95;

    private ConversionIngestBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(ConversionIngestBenchmark::run);
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
        long seed = Long.parseLong(System.getProperty("seed", "20261125").trim());
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        System.out.println("Meterline ingestion with conversion into the billing currency vs without");
        System.out.printf(Locale.ROOT, "  events %,d per side (+%,d warm-up each), batch %,d, clients %d, mixed corpus, %d rounds alternating the order%n", events,
                warmupBatches * batch, batch, clients, rounds);
        CpuMeter cpuMeter;
        try (Connection connection = DriverManager.getConnection(databaseUrl, user, password)) {
            cpuMeter = CpuMeter.forDatabase(connection);
        }
        EventCorpus corpus = EventCorpus.generate(warmupBatches * batch + events, batch, EventCorpus.Timestamps.ORDERED, seed, Instant.now(), false);

        Map<String, Object> plainProperties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        plainProperties.put("meterline.usage.conversion.at-ingestion", false);
        plainProperties.put("meterline.fx.ecb-enabled", false);
        Map<String, Object> convertedProperties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        convertedProperties.put("meterline.usage.conversion.at-ingestion", true);
        convertedProperties.put("meterline.fx.ecb-enabled", false);
        // The first instance cleaned and migrated the schema (and stored the bundled rates); the second shares it.
        convertedProperties.put("flyway.datasources.default.clean-schema", false);
        try (ApplicationContext plainContext = ApplicationContext.run(plainProperties);
             ApplicationContext convertedContext = ApplicationContext.run(convertedProperties)) {
            EmbeddedServer plainServer = plainContext.getBean(EmbeddedServer.class);
            plainServer.start();
            EmbeddedServer convertedServer = convertedContext.getBean(EmbeddedServer.class);
            convertedServer.start();
            Viewer admin = new Viewer(0, "bench@local", Role.PLATFORM_ADMIN, null);
            AccountService accounts = plainContext.getBean(AccountService.class);
            ApiKeyService apiKeys = plainContext.getBean(ApiKeyService.class);
            Organization plainOrganization = accounts.createOrganization(admin, new AccountService.NewOrganization("Plain", "plain", "CAD", "UTC"));
            Organization convertedOrganization = accounts.createOrganization(admin, new AccountService.NewOrganization("Converted", "converted", "CAD", "UTC"));
            ApiKeyService.CreatedKey plainKey = apiKeys.createFor(plainOrganization.id(), "benchmark");
            ApiKeyService.CreatedKey convertedKey = apiKeys.createFor(convertedOrganization.id(), "benchmark");

            URI plainUri = plainServer.getURI().resolve("/v1/usage");
            URI convertedUri = convertedServer.getURI().resolve("/v1/usage");
            IngestBenchmark.ApiSender plainSender = new IngestBenchmark.ApiSender(plainUri, plainKey.secret(), clients);
            IngestBenchmark.ApiSender convertedSender = new IngestBenchmark.ApiSender(convertedUri, convertedKey.secret(), clients);
            // Each organization's first batch alone: concurrent first batches of a new organization can deadlock in the
            // ledger's first-row insert (LedgerStore.lock) on MariaDB; see BENCHMARK.md.
            PairedIngest.check(new IngestBenchmark.ApiSender(plainUri, plainKey.secret(), 1).send(corpus, 0, 1, false), "plain first batch");
            PairedIngest.check(new IngestBenchmark.ApiSender(convertedUri, convertedKey.secret(), 1).send(corpus, 0, 1, false), "converted first batch");
            PairedIngest.check(plainSender.send(corpus, 1, warmupBatches, false), "plain warm-up");
            PairedIngest.check(convertedSender.send(corpus, 1, warmupBatches, false), "converted warm-up");

            PairedIngest.Side plain = new PairedIngest.Side("plain (no conversion)", plainSender);
            PairedIngest.Side converted = new PairedIngest.Side("converted to CAD", convertedSender);
            PairedIngest.rounds(corpus, warmupBatches, rounds, cpuMeter, plain, converted);
            plainServer.stop();
            convertedServer.stop();

            List<String> failures = new ArrayList<>();
            long convertedEvents;
            long heldEvents;
            try (Connection connection = DriverManager.getConnection(databaseUrl, user, password)) {
                for (Organization organization : List.of(plainOrganization, convertedOrganization)) {
                    long stored = PairedIngest.count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ?", organization.id());
                    if (stored != corpus.size()) {
                        failures.add(organization.slug() + ": usage_event holds " + stored + " rows, sent " + corpus.size());
                    }
                }
                convertedEvents = PairedIngest.count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND billing_currency = 'CAD'", convertedOrganization.id());
                heldEvents = PairedIngest.count(connection, "SELECT COUNT(*) FROM usage_unconverted WHERE organization_id = ?", convertedOrganization.id());
                long pricedEvents = PairedIngest.count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND cost IS NOT NULL", convertedOrganization.id());
                if (convertedEvents + heldEvents != pricedEvents) {
                    failures.add("converted " + convertedEvents + " + held " + heldEvents + " != priced " + pricedEvents);
                }
                if (PairedIngest.count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND billing_cost IS NOT NULL", plainOrganization.id()) != 0) {
                    failures.add("the plain side converted events");
                }
            }
            PairedIngest.checkAccepted(List.of(plain, converted), failures);
            double percent = converted.rate() / plain.rate() * 100;
            PairedIngest.printSides(List.of(plain, converted));
            System.out.printf(Locale.ROOT, "  events converted to CAD %,d, held for want of a rate %,d (warm-up included)%n", convertedEvents, heldEvents);
            System.out.printf(Locale.ROOT, "  rate with conversion   %.1f %% of plain%n", percent);
            System.out.printf(Locale.ROOT, "  CPU cost ratio         %.1f %% (plain CPU per event / converted CPU per event; not moved by other processes)%n",
                    plain.cpuPerThousand() / converted.cpuPerThousand() * 100);
            System.out.printf(Locale.ROOT, "  target >= %.0f %%        %s%n", TARGET_PERCENT, percent >= TARGET_PERCENT ? "PASS" : "FAIL");
            return PairedIngest.exitCode(failures);
        }
    }
}
