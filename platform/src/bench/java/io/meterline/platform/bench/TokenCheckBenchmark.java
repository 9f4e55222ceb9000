package io.meterline.platform.bench;

import com.nimbusds.jwt.SignedJWT;
import io.meterline.platform.security.TokenVersionValidator;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.security.token.jwt.generator.claims.JwtClaimsSetAdapter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;

/**
 * What the token version check ({@link TokenVersionValidator}) costs per request: in one run, the
 * latency and server CPU of a cheap authenticated GraphQL query ({@code { viewer { user { email } } }}),
 * and the check itself timed in process over many iterations with a warm cache (what every request
 * pays); the ratio is the check's share of the request. A command, not a test: run with
 * {@code ./mvnw -q -Pbench -pl platform -am test -DskipTests -Dbench.main=io.meterline.platform.bench.TokenCheckBenchmark}
 * (options {@code -Drequests=20000 -Dchecks=5000000}). Runs on an in-memory H2 database: nothing to wipe.
 */
public final class TokenCheckBenchmark {

    private static final String EMAIL = "bench-admin@meterline.local";
    private static final String PASSWORD = "bench-password-0123";

    private TokenCheckBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(TokenCheckBenchmark::run);
    }

    private static int run() throws Exception {
        int requests = Integer.getInteger("requests", 20_000);
        int checks = Integer.getInteger("checks", 5_000_000);
        Map<String, Object> properties = AuthorizeLatencyBenchmark.serverProperties(
                "jdbc:h2:mem:token-bench;MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        properties.put("meterline.bootstrap-admin.email", EMAIL);
        properties.put("meterline.bootstrap-admin.password", PASSWORD);
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            HttpClient http = HttpClient.newHttpClient();
            String login = send(http, HttpRequest.newBuilder(server.getURI().resolve("/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + EMAIL + "\",\"password\":\"" + PASSWORD + "\"}")).build());
            String token = login.replaceAll(".*\"access_token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            HttpRequest query = HttpRequest.newBuilder(server.getURI().resolve("/graphql")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ viewer { user { email } } }\"}")).build();
            if (!send(http, query).contains(EMAIL)) {
                throw new IllegalStateException("the query did not answer the viewer");
            }
            System.out.println("Meterline token version check benchmark");
            System.out.printf(Locale.ROOT, "  %d CPUs, %,d sequential requests of { viewer { user { email } } } after as many warm-up requests, %,d checks in process%n",
                    Runtime.getRuntime().availableProcessors(), requests, checks);
            for (int warmUp = 0; warmUp < requests; warmUp++) {
                send(http, query);
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean system = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = system.getProcessCpuTime();
            long started = System.nanoTime();
            for (int request = 0; request < requests; request++) {
                send(http, query);
            }
            double requestNanos = (System.nanoTime() - started) / (double) requests;
            // Client and server share this JVM: the CPU per request includes the client's part, so the ratio below is conservative.
            double requestCpuNanos = (system.getProcessCpuTime() - cpuBefore) / (double) requests;

            @SuppressWarnings("unchecked")
            TokenVersionValidator<Object> validator = context.getBean(TokenVersionValidator.class);
            JwtClaimsSetAdapter claims = new JwtClaimsSetAdapter(SignedJWT.parse(token).getJWTClaimsSet());
            boolean valid = true;
            for (int check = 0; check < checks; check++) {
                valid &= validator.validate(claims, null);
            }
            long threadCpuBefore = threads.getCurrentThreadCpuTime();
            started = System.nanoTime();
            for (int check = 0; check < checks; check++) {
                valid &= validator.validate(claims, null);
            }
            double checkNanos = (System.nanoTime() - started) / (double) checks;
            double checkCpuNanos = (threads.getCurrentThreadCpuTime() - threadCpuBefore) / (double) checks;
            if (!valid) {
                throw new IllegalStateException("the check refused a current token");
            }
            System.out.printf(Locale.ROOT, "  request: %.1f us latency (mean, one client), %.1f us CPU of the JVM per request%n", requestNanos / 1e3, requestCpuNanos / 1e3);
            System.out.printf(Locale.ROOT, "  check (warm cache): %.0f ns latency, %.0f ns CPU per check%n", checkNanos, checkCpuNanos);
            System.out.printf(Locale.ROOT, "  ratio: the check is %.3f %% of a request's latency and %.3f %% of its CPU%n",
                    100 * checkNanos / requestNanos, 100 * checkCpuNanos / requestCpuNanos);
            server.stop();
            return 0;
        }
    }

    private static String send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
