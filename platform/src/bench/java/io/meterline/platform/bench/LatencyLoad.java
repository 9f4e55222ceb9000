package io.meterline.platform.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** Closed-loop peak and open-loop constant-rate HTTP load against one endpoint, with per-request latencies. */
final class LatencyLoad {

    private final HttpClient http;

    LatencyLoad(int threads) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(threads)).build();
    }

    HttpRequest request(URI uri, String authorization, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** Requests per second that {@code clients} threads, each waiting for its answer before the next, get through in {@code seconds}. */
    double closedLoop(HttpRequest request, int clients, double seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        for (int client = 0; client < clients; client++) {
            pool.execute(() -> {
                try {
                    while (System.nanoTime() < end && failure.get() == null) {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            failure.compareAndSet(null, "HTTP " + response.statusCode() + ": " + response.body());
                        }
                        done.incrementAndGet();
                    }
                }
                catch (Exception e) {
                    failure.compareAndSet(null, e.toString());
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException(request.uri() + " failed: " + failure.get());
        }
        return done.get() / elapsed;
    }

    /** Latencies of one open-loop run. */
    record Latencies(long[] nanos, double seconds, double rate, double scheduledRate, int late) {

        /** Both runs' latencies as one, at their mean rate; {@code first} may be null. */
        static Latencies merge(Latencies first, Latencies second) {
            if (first == null) {
                return second;
            }
            long[] nanos = Arrays.copyOf(first.nanos, first.nanos.length + second.nanos.length);
            System.arraycopy(second.nanos, 0, nanos, first.nanos.length, second.nanos.length);
            double seconds = first.seconds + second.seconds;
            return new Latencies(nanos, seconds, nanos.length / seconds, first.scheduledRate, first.late + second.late);
        }

        /** Whether the answers kept up with the rate sent (97 % or better): a backlog stretches the run. */
        boolean keptUp() {
            return rate >= 0.97 * scheduledRate;
        }

        double percentileMillis(double percentile) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }

        String describe() {
            return String.format(Locale.ROOT, "%,d requests at %,.0f/s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", nanos.length, rate,
                    percentileMillis(50), percentileMillis(90), percentileMillis(99), percentileMillis(100));
        }
    }

    /**
     * Sends {@code rate} requests per second for {@code seconds} on a fixed schedule, whatever the answers do (open loop).
     * A request's latency runs from its scheduled send time to its answer, so a stalled server is charged for the
     * requests that queued behind the stall (no coordinated omission).
     */
    Latencies openLoop(HttpRequest request, double rate, double seconds) throws Exception {
        int count = (int) Math.round(rate * seconds);
        long interval = (long) (1e9 / rate);
        long[] latencies = new long[count];
        CountDownLatch answered = new CountDownLatch(count);
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger late = new AtomicInteger();
        long start = System.nanoTime() + 10_000_000;
        for (int index = 0; index < count; index++) {
            long scheduled = start + index * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            else if (wait < -1_000_000) {
                late.incrementAndGet();
            }
            int slot = index;
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                latencies[slot] = System.nanoTime() - scheduled;
                if (error != null) {
                    failure.compareAndSet(null, error.toString());
                }
                else if (response.statusCode() != 200) {
                    failure.compareAndSet(null, "HTTP " + response.statusCode() + ": " + response.body());
                }
                answered.countDown();
            });
        }
        if (!answered.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException(request.uri() + ": answers still missing after 2 minutes");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException(request.uri() + " failed: " + failure.get());
        }
        return new Latencies(latencies, elapsed, count / elapsed, rate, late.get());
    }
}
