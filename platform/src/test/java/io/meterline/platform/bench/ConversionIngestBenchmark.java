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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

    /** Time, events and CPU of one side, summed over the rounds. */
    private static final class Side {
        final String name;
        long events;
        long nanos;
        long accepted;
        double jvmSeconds;
        double databaseSeconds;
        double otherSeconds;

        Side(String name) {
            this.name = name;
        }

        double rate() {
            return events / (nanos / 1e9);
        }

        double cpuPerThousand() {
            return (jvmSeconds + databaseSeconds) * 1000.0 / events * 1000.0;
        }
    }

    private static int run() throws Exception {
        String databaseUrl = System.getProperty("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
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
            check(new IngestBenchmark.ApiSender(plainUri, plainKey.secret(), 1).send(corpus, 0, 1, false), "plain first batch");
            check(new IngestBenchmark.ApiSender(convertedUri, convertedKey.secret(), 1).send(corpus, 0, 1, false), "converted first batch");
            check(plainSender.send(corpus, 1, warmupBatches, false), "plain warm-up");
            check(convertedSender.send(corpus, 1, warmupBatches, false), "converted warm-up");

            Side plain = new Side("plain (no conversion)");
            Side converted = new Side("converted to CAD");
            int timedBatches = corpus.batchCount() - warmupBatches;
            for (int round = 0; round < rounds; round++) {
                int from = warmupBatches + timedBatches * round / rounds;
                int to = warmupBatches + timedBatches * (round + 1) / rounds;
                if (round % 2 == 0) {
                    timed(plain, plainSender, corpus, from, to, cpuMeter);
                    timed(converted, convertedSender, corpus, from, to, cpuMeter);
                }
                else {
                    timed(converted, convertedSender, corpus, from, to, cpuMeter);
                    timed(plain, plainSender, corpus, from, to, cpuMeter);
                }
                System.out.printf(Locale.ROOT, "    round %d: plain %,.0f events/s, converted %,.0f events/s so far%n", round + 1, plain.rate(), converted.rate());
            }
            plainServer.stop();
            convertedServer.stop();

            List<String> failures = new ArrayList<>();
            long convertedEvents;
            long heldEvents;
            try (Connection connection = DriverManager.getConnection(databaseUrl, user, password)) {
                for (Organization organization : List.of(plainOrganization, convertedOrganization)) {
                    long stored = count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ?", organization.id());
                    if (stored != corpus.size()) {
                        failures.add(organization.slug() + ": usage_event holds " + stored + " rows, sent " + corpus.size());
                    }
                }
                convertedEvents = count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND billing_currency = 'CAD'", convertedOrganization.id());
                heldEvents = count(connection, "SELECT COUNT(*) FROM usage_unconverted WHERE organization_id = ?", convertedOrganization.id());
                long pricedEvents = count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND cost IS NOT NULL", convertedOrganization.id());
                if (convertedEvents + heldEvents != pricedEvents) {
                    failures.add("converted " + convertedEvents + " + held " + heldEvents + " != priced " + pricedEvents);
                }
                if (count(connection, "SELECT COUNT(*) FROM usage_event WHERE organization_id = ? AND billing_cost IS NOT NULL", plainOrganization.id()) != 0) {
                    failures.add("the plain side converted events");
                }
            }
            for (Side side : List.of(plain, converted)) {
                if (side.accepted != side.events) {
                    failures.add(side.name + ": accepted " + side.accepted + " of " + side.events);
                }
            }
            double percent = converted.rate() / plain.rate() * 100;
            System.out.println("RESULT");
            for (Side side : List.of(plain, converted)) {
                System.out.printf(Locale.ROOT, "  %-22s %,9d events in %6.2f s  %,8.0f events/s  CPU per 1,000 events %.0f ms (JVM + MariaDB), other processes %.1f s%n",
                        side.name, side.events, side.nanos / 1e9, side.rate(), side.cpuPerThousand(), side.otherSeconds);
            }
            System.out.printf(Locale.ROOT, "  events converted to CAD %,d, held for want of a rate %,d (warm-up included)%n", convertedEvents, heldEvents);
            System.out.printf(Locale.ROOT, "  rate with conversion   %.1f %% of plain%n", percent);
            System.out.printf(Locale.ROOT, "  CPU cost ratio         %.1f %% (plain CPU per event / converted CPU per event; not moved by other processes)%n",
                    plain.cpuPerThousand() / converted.cpuPerThousand() * 100);
            System.out.printf(Locale.ROOT, "  target >= %.0f %%        %s%n", TARGET_PERCENT, percent >= TARGET_PERCENT ? "PASS" : "FAIL");
            if (!failures.isEmpty()) {
                failures.forEach(failure -> System.out.println("CORRECTNESS FAILURE: " + failure));
                return 1;
            }
            return 0;
        }
    }

    private static void timed(Side side, IngestBenchmark.ApiSender sender, EventCorpus corpus, int from, int to, CpuMeter cpuMeter) throws Exception {
        CpuMeter.Snapshot start = cpuMeter.snapshot();
        IngestBenchmark.Run run = sender.send(corpus, from, to, false);
        CpuMeter.Usage usage = cpuMeter.since(start);
        check(run, side.name);
        side.events += run.events();
        side.nanos += run.nanos();
        side.accepted += run.accepted();
        side.jvmSeconds += usage.jvmSeconds();
        side.databaseSeconds += Double.isNaN(usage.databaseSeconds()) ? 0 : usage.databaseSeconds();
        side.otherSeconds += usage.otherSeconds();
    }

    private static void check(IngestBenchmark.Run run, String what) {
        if (run.failure() != null) {
            throw new IllegalStateException(what + " failed: " + run.failure());
        }
    }

    private static long count(Connection connection, String sql, long organizationId) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
