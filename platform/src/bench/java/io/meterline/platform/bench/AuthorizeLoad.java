package io.meterline.platform.bench;

import java.net.http.HttpRequest;
import java.util.Locale;

/**
 * The measuring half of {@link AuthorizeLatencyBenchmark}, once the server is warm: the closed-loop peak of both
 * endpoints, authorize's sustained open-loop peak, then both endpoints at half that rate in alternating slices.
 * Prints the report and PASS, FAIL or INVALID.
 */
final class AuthorizeLoad {

    static final double TARGET_P99_DIFFERENCE_MILLIS = 2.0;
    static final double SLICE_SECONDS = 5;

    private AuthorizeLoad() {
    }

    static int measure(LatencyLoad load, HttpRequest authorize, HttpRequest echo, int clients, double peakSeconds, double loadSeconds) throws Exception {
        double closedPeak = load.closedLoop(authorize, clients, peakSeconds);
        double echoPeak = load.closedLoop(echo, clients, peakSeconds);
        double peak = sustainedPeak(load, authorize, closedPeak);
        String givenRate = System.getProperty("load.rate", "");
        double rate = givenRate.isBlank() ? peak / 2 : Double.parseDouble(givenRate);
        System.out.printf(Locale.ROOT, "  closed loop (%d clients): authorize %,.0f/s, plain endpoint %,.0f/s%n", clients, closedPeak, echoPeak);
        System.out.printf(Locale.ROOT, "  peak: authorize sustains %,.0f/s open loop; load rate %,.0f/s%n", peak, rate);

        // -Dcalibrate=true measures the plain endpoint against itself: the difference two identical endpoints show is the
        // noise this machine adds to the comparison.
        boolean calibrate = Boolean.getBoolean("calibrate");
        HttpRequest measured = calibrate ? echo : authorize;
        // Alternating slices, so a noisy neighbour or a late JIT compilation falls on both endpoints alike.
        int slices = Math.max(1, (int) Math.round(loadSeconds / SLICE_SECONDS));
        LatencyLoad.Latencies plain = null;
        LatencyLoad.Latencies authorized = null;
        for (int slice = 0; slice < slices; slice++) {
            plain = LatencyLoad.Latencies.merge(plain, load.openLoop(echo, rate, loadSeconds / slices));
            authorized = LatencyLoad.Latencies.merge(authorized, load.openLoop(measured, rate, loadSeconds / slices));
        }

        double difference = authorized.percentileMillis(99) - plain.percentileMillis(99);
        System.out.println("RESULT");
        System.out.println((calibrate ? "  plain (calibration)  " : "  POST /v1/authorize   ") + authorized.describe());
        System.out.println("  plain JSON endpoint  " + plain.describe());
        System.out.printf(Locale.ROOT, "  p50 difference        %+.2f ms%n", authorized.percentileMillis(50) - plain.percentileMillis(50));
        System.out.printf(Locale.ROOT, "  p99 difference        %+.2f ms%n", difference);
        if (authorized.late() + plain.late() > 0) {
            System.out.printf(Locale.ROOT, "  note: the sender fell more than 1 ms behind schedule %,d times (latency still counted from the schedule)%n",
                    authorized.late() + plain.late());
        }
        boolean kept = authorized.keptUp() && plain.keptUp();
        System.out.printf(Locale.ROOT, "  target p99 <= plain + %.0f ms  %s%n", TARGET_P99_DIFFERENCE_MILLIS,
                !kept ? "INVALID (the rate was not sustained: load generator or server saturated)"
                        : difference <= TARGET_P99_DIFFERENCE_MILLIS ? "PASS" : "FAIL");
        return 0;
    }

    /**
     * The highest open-loop rate, in steps of a tenth of the closed-loop rate, at which authorize keeps up: the answers
     * arrive at the rate sent (a backlog stretches the run). The closed loop alone
     * overstates it on a small machine, where the load generator shares the cores with the server.
     */
    private static double sustainedPeak(LatencyLoad load, HttpRequest authorize, double closedPeak) throws Exception {
        double sustained = closedPeak / 10;
        for (int step = 2; step <= 10; step++) {
            LatencyLoad.Latencies run = load.openLoop(authorize, closedPeak * step / 10, 4);
            if (!run.keptUp()) {
                break;
            }
            sustained = closedPeak * step / 10;
        }
        return sustained;
    }
}
