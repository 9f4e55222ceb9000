package io.meterline.platform.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Locale;

/**
 * The same-run comparison two ingestion benchmarks share (budgets vs plain, conversion vs plain): the
 * timed batches of one corpus are split into rounds, each round is sent to both sides, alternating
 * which goes first, and each side sums its time, events and CPU. The benchmarks differ only in what
 * the second side turns on and what they check afterwards.
 */
final class PairedIngest {

    private PairedIngest() {
    }

    /** Time, events and CPU of one side, summed over the rounds. */
    static final class Side {
        final String name;
        final IngestBenchmark.ApiSender sender;
        long events;
        long nanos;
        long accepted;
        double jvmSeconds;
        double databaseSeconds;
        double otherSeconds;

        Side(String name, IngestBenchmark.ApiSender sender) {
            this.name = name;
            this.sender = sender;
        }

        double rate() {
            return events / (nanos / 1e9);
        }

        double cpuPerThousand() {
            return (jvmSeconds + databaseSeconds) * 1000.0 / events * 1000.0;
        }
    }

    /** Sends the batches after the warm-up to both sides in {@code rounds}, alternating which goes first, and prints the rates so far. */
    static void rounds(EventCorpus corpus, int warmupBatches, int rounds, CpuMeter cpuMeter, Side plain, Side other) throws Exception {
        int timedBatches = corpus.batchCount() - warmupBatches;
        for (int round = 0; round < rounds; round++) {
            int from = warmupBatches + timedBatches * round / rounds;
            int to = warmupBatches + timedBatches * (round + 1) / rounds;
            List<Side> order = round % 2 == 0 ? List.of(plain, other) : List.of(other, plain);
            for (Side side : order) {
                timed(side, corpus, from, to, cpuMeter);
            }
            System.out.printf(Locale.ROOT, "    round %d: %s %,.0f events/s, %s %,.0f events/s so far%n", round + 1, plain.name, plain.rate(), other.name, other.rate());
        }
    }

    /** Adds a failure for each side that did not accept every event it sent. */
    static void checkAccepted(List<Side> sides, List<String> failures) {
        for (Side side : sides) {
            if (side.accepted != side.events) {
                failures.add(side.name + ": accepted " + side.accepted + " of " + side.events);
            }
        }
    }

    /** Prints each side's events, time, rate and CPU, under the RESULT heading. */
    static void printSides(List<Side> sides) {
        System.out.println("RESULT");
        for (Side side : sides) {
            System.out.printf(Locale.ROOT, "  %-22s %,9d events in %6.2f s  %,8.0f events/s  CPU per 1,000 events %.0f ms (JVM + MariaDB), other processes %.1f s%n",
                    side.name, side.events, side.nanos / 1e9, side.rate(), side.cpuPerThousand(), side.otherSeconds);
        }
    }

    /** Prints the failures and answers the exit code: 1 with failures, else 0. */
    static int exitCode(List<String> failures) {
        failures.forEach(failure -> System.out.println("CORRECTNESS FAILURE: " + failure));
        return failures.isEmpty() ? 0 : 1;
    }

    static void check(IngestBenchmark.Run run, String what) {
        if (run.failure() != null) {
            throw new IllegalStateException(what + " failed: " + run.failure());
        }
    }

    /** A count of one organization's rows: the SQL takes the organization id as its only parameter. */
    static long count(Connection connection, String sql, long organizationId) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void timed(Side side, EventCorpus corpus, int from, int to, CpuMeter cpuMeter) throws Exception {
        CpuMeter.Snapshot start = cpuMeter.snapshot();
        IngestBenchmark.Run run = side.sender.send(corpus, from, to, false);
        CpuMeter.Usage usage = cpuMeter.since(start);
        check(run, side.name);
        side.events += run.events();
        side.nanos += run.nanos();
        side.accepted += run.accepted();
        side.jvmSeconds += usage.jvmSeconds();
        side.databaseSeconds += Double.isNaN(usage.databaseSeconds()) ? 0 : usage.databaseSeconds();
        side.otherSeconds += usage.otherSeconds();
    }
}
