package io.meterline.platform.bench;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 17's export target, on MariaDB; a command, not a test (see {@code platform/BENCHMARK.md}): {@code -Devents}
 * (1,000,000) events of one organization are generated in the database ({@code seq_1_to_N}), then
 * {@code GET /v1/usage/export.csv} downloads them all over HTTP (controller, streamed result set, chunks, Netty) at least
 * 50,000 rows/s, with the server's heap growing at most 64 MB. Heap growth is GC-aware ({@link LiveHeap}): the heap in
 * use right after full collections at a quarter, half and three quarters of the download, less the same before it;
 * garbage does not count. The time includes those collections (three, on both sides). The baseline, in the same run: a plain JDBC streaming read of the same
 * rows and columns with nothing written, its rows/s and heap growth measured alike.
 */
public final class ExportBenchmark {

    private static final String ADMIN_EMAIL = "bench-admin@meterline.local";
    private static final String ADMIN_PASSWORD = "quarterly-figures-check-7781";
    private static final String LINES = "[{\"meter\":\"input_tokens\",\"quantity\":1200,\"billableQuantity\":1200,\"unitPrice\":2.5,\"per\":1000000,"
            + "\"currency\":\"USD\",\"amount\":0.003,\"rateId\":1,\"rateVersion\":1,\"plugin\":\"openai@1\"},{\"meter\":\"output_tokens\",\"quantity\":300,"
            + "\"billableQuantity\":300,\"unitPrice\":10,\"per\":1000000,\"currency\":\"USD\",\"amount\":0.003,\"rateId\":2,\"rateVersion\":1,\"plugin\":\"openai@1\"}]";
    private static final double TARGET_ROWS_PER_SECOND = 50_000;
    private static final long TARGET_HEAP_GROWTH = 64L << 20;

    private ExportBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(ExportBenchmark::run);
    }

    /**
     * The live heap: in use right after a full collection (garbage between collections, and garbage young collections
     * promoted, does not count). {@link #checkpoint} measures it at a quarter, half and three quarters of a read; the
     * growth is the largest of those less the figure before the read.
     */
    private static final class LiveHeap {

        private long before;
        private long peak;
        private int next;
        private final long rows;

        LiveHeap(long rows) {
            this.rows = rows;
        }

        static long measure() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        void start() {
            before = measure();
            peak = before;
            next = 1;
        }

        /** Measures when {@code done} rows passed the next quarter. */
        void checkpoint(long done) {
            if (next <= 3 && done >= rows * next / 4) {
                peak = Math.max(peak, measure());
                next++;
            }
        }

        long growth() {
            return peak - before;
        }
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        long events = Long.getLong("events", 1_000_000);
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        Map<String, Object> properties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        properties.put("meterline.bootstrap-admin.email", ADMIN_EMAIL);
        properties.put("meterline.bootstrap-admin.password", ADMIN_PASSWORD);
        properties.put("meterline.analytics.scheduled-roll", false);
        System.out.println("Meterline usage export benchmark");
        LiveHeap heap = new LiveHeap(events);
        try (ApplicationContext context = ApplicationContext.run(properties); Connection raw = DriverManager.getConnection(databaseUrl, user, password)) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Viewer admin = new Viewer(0, ADMIN_EMAIL, Role.PLATFORM_ADMIN, null);
            Organization organization = context.getBean(AccountService.class).createOrganization(admin,
                    new AccountService.NewOrganization("Bench export", "bench-export", "USD", "Asia/Kathmandu"));
            long started = System.nanoTime();
            try (Statement statement = raw.createStatement()) {
                statement.execute("INSERT INTO usage_event (organization_id, event_id, content_hash, occurred_at, received_at, provider, model, status,"
                        + " duration_ms, requests, account_id, member_key, team, project, department, feature, tool, integration, mode, priced, cost, currency,"
                        + " priced_lines, billing_cost, billing_currency, fx_rate, fx_rate_date) SELECT " + organization.id() + ", CONCAT('e', seq), LPAD(seq, 64, '0'),"
                        + " UTC_TIMESTAMP() - INTERVAL 1 DAY - INTERVAL seq SECOND, UTC_TIMESTAMP(), 'openai', ELT(1 + seq % 3, 'gpt-4o', 'gpt-4o-mini', 'o1'),"
                        + " IF(seq % 50 = 0, 'rate_limited', 'ok'), 800, 1, CONCAT('ACC-', seq % 20), CONCAT('m', seq % 10),"
                        + " ELT(1 + seq % 4, 'search', 'sales', 'ops', 'support'), CONCAT('p', seq % 5), ELT(1 + seq % 3, 'eng', 'fin', 'hr'),"
                        + " ELT(1 + seq % 4, 'chat', 'search', 'summary', 'code'), CONCAT('tool', seq % 5), ELT(1 + seq % 3, 'slack', 'gmail', 'web'),"
                        + " ELT(1 + seq % 2, 'fast', 'deep'), 1, 0.006, 'USD', '" + LINES + "', 0.006, 'USD', 1, CURRENT_DATE"
                        + " FROM seq_1_to_" + events);
            }
            System.out.printf(Locale.ROOT, "  %s: %,d events generated in %.1f s%n", databaseUrl, events, (System.nanoTime() - started) / 1e9);

            // The baseline: the same rows and columns, streamed by plain JDBC and dropped.
            heap.start();
            long begin = System.nanoTime();
            long baselineRows = 0;
            try (Connection connection = DriverManager.getConnection(databaseUrl, user, password);
                 PreparedStatement statement = connection.prepareStatement("SELECT " + io.meterline.platform.analytics.EventReader.COLUMNS
                         + ", event_id, received_at FROM usage_event WHERE organization_id = ? ORDER BY occurred_at, id")) {
                statement.setFetchSize(1000);
                statement.setLong(1, organization.id());
                try (ResultSet rows = statement.executeQuery()) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        for (int column = 1; column <= columns; column++) {
                            rows.getString(column);
                        }
                        baselineRows++;
                        heap.checkpoint(baselineRows);
                    }
                }
            }
            double baselineSeconds = (System.nanoTime() - begin) / 1e9;
            long baselineGrowth = heap.growth();

            // The export over HTTP, read and dropped by the client.
            TestApi api = new TestApi(server.getURI(), context.getBean(JsonMapper.class));
            String token = api.login(ADMIN_EMAIL, ADMIN_PASSWORD);
            heap.start();
            begin = System.nanoTime();
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.getURI() + "/v1/usage/export.csv?organizationId="
                    + GlobalId.encode(TenantScope.ORGANIZATION_TYPE, organization.id()))).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long lines = 0;
            long bytes = 0;
            try (InputStream body = response.body()) {
                byte[] buffer = new byte[1 << 16];
                for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                    bytes += read;
                    for (int i = 0; i < read; i++) {
                        if (buffer[i] == '\n') {
                            lines++;
                            heap.checkpoint(lines);
                        }
                    }
                }
            }
            double exportSeconds = (System.nanoTime() - begin) / 1e9;
            long exportGrowth = heap.growth();
            long exportRows = lines - 1;
            if (response.statusCode() != 200 || exportRows != events || baselineRows != events) {
                throw new IllegalStateException("expected " + events + " rows, the export answered " + response.statusCode() + " with " + exportRows
                        + ", the baseline read " + baselineRows);
            }
            double exportRate = exportRows / exportSeconds;
            double baselineRate = baselineRows / baselineSeconds;
            System.out.printf(Locale.ROOT, "  baseline (plain JDBC streaming read): %,d rows in %.2f s = %,.0f rows/s, heap growth %.1f MB%n", baselineRows,
                    baselineSeconds, baselineRate, baselineGrowth / 1048576.0);
            System.out.printf(Locale.ROOT, "  export   (GET /v1/usage/export.csv):  %,d rows in %.2f s = %,.0f rows/s (%.1f MB of CSV), heap growth %.1f MB%n", exportRows,
                    exportSeconds, exportRate, bytes / 1048576.0, exportGrowth / 1048576.0);
            System.out.printf(Locale.ROOT, "  export / baseline: %.2f of the baseline's rate%n", exportRate / baselineRate);
            boolean fast = exportRate >= TARGET_ROWS_PER_SECOND;
            boolean small = exportGrowth <= TARGET_HEAP_GROWTH;
            System.out.printf(Locale.ROOT, "  rate >= %,.0f rows/s: %s; heap growth <= %d MB: %s%n", TARGET_ROWS_PER_SECOND, fast ? "PASS" : "FAIL",
                    TARGET_HEAP_GROWTH >> 20, small ? "PASS" : "FAIL");
            return fast && small ? 0 : 1;
        }
    }
}
