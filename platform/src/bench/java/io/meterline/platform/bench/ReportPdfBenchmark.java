package io.meterline.platform.bench;

import static io.meterline.platform.bench.InvoiceCloseBenchmark.percentile;

import io.meterline.platform.account.Organization;
import io.meterline.platform.analytics.Dimension;
import io.meterline.platform.report.ReportDocument;
import io.meterline.platform.report.ReportDocuments;
import io.meterline.platform.report.UsageReport;
import io.meterline.platform.report.UsageReportService;
import io.micronaut.context.ApplicationContext;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The usage report PDF's latency, in one run on MariaDB; a command, not a test (see {@code platform/BENCHMARK.md}).
 * <ol>
 * <li>{@code -Dorgs} organizations (10) in five zones, with company details (the BILL TO block), and the local-day rollup
 * rows of the last 31-day month and the month before: every report breakdown with dozens of values (4 providers,
 * 40 models, 12 features, 10 tools, 6 integrations, 24 teams, 8 departments, 15 projects, 60 members, 30 Account IDs),
 * each value used every day. Reports read rollups, never events, so the rows are written as the roller writes them
 * (as {@link InvoiceCloseBenchmark} does): 2,520 to 7,560 calls a day shared evenly by each dimension's values.</li>
 * <li>Renders {@code -Dreports} (200) month reports, cycling through the organizations, as {@code GET /v1/reports/{id}.pdf}
 * does: read the document ({@link UsageReportService#document}: totals with the month before, 31 days, ten breakdowns),
 * then render it with OpenPDF. Baseline in the same run: the same report read and rendered to JSON (the {@code .json}
 * download, the same reads). Printed: p50 and p95 of both, their ratio, and the rendering alone (the document read
 * once). Target: the invoice PDF's, p95 at most 200 ms.</li>
 * </ol>
 */
public final class ReportPdfBenchmark {

    private static final double TARGET_P95_MILLIS = 200;
    /** Calls a day, divisible by every dimension's number of values. */
    private static final int CALLS_A_DAY = 2_520;
    private static final long TOKENS_A_CALL = 1_500;
    private static final BigDecimal COST_A_TOKEN = new BigDecimal("0.000004");

    /** Each report dimension's values (and the day total as ALL's one value ''). */
    private static final Map<Dimension, List<String>> VALUES = values();

    private ReportPdfBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(ReportPdfBenchmark::run);
    }

    private static Map<Dimension, List<String>> values() {
        Map<Dimension, List<String>> values = new LinkedHashMap<>();
        values.put(Dimension.ALL, List.of(""));
        values.put(Dimension.PROVIDER, named("provider-", 4));
        List<String> models = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            models.add("provider-" + (i % 4) + "/model-" + i);
        }
        values.put(Dimension.MODEL, models);
        values.put(Dimension.FEATURE, named("feature-", 12));
        values.put(Dimension.TOOL, named("tool-", 10));
        values.put(Dimension.INTEGRATION, named("integration-", 6));
        values.put(Dimension.TEAM, named("team-", 24));
        values.put(Dimension.DEPARTMENT, named("department-", 8));
        values.put(Dimension.PROJECT, named("project-", 15));
        values.put(Dimension.MEMBER, named("member-", 60));
        values.put(Dimension.ACCOUNT_ID, named("ACC-", 30));
        return values;
    }

    private static List<String> named(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench_report");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        int orgs = Integer.getInteger("orgs", 10);
        int count = Integer.getInteger("reports", 200);
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        Map<String, Object> properties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        properties.put("meterline.analytics.scheduled-roll", false);
        properties.put("meterline.invoices.scheduled-close", false);
        properties.put("meterline.report.notice-interval", "1h");
        System.out.println("Meterline usage report PDF benchmark");
        try (ApplicationContext context = ApplicationContext.run(properties); Connection raw = DriverManager.getConnection(databaseUrl, user, password)) {
            // The last month of 31 days that has ended, and the month before it (the report's comparison).
            YearMonth month = YearMonth.now(context.getBean(Clock.class)).minusMonths(1);
            while (month.lengthOfMonth() != 31) {
                month = month.minusMonths(1);
            }
            long generateStart = System.nanoTime();
            long rows = generate(raw, orgs, month);
            System.out.printf(Locale.ROOT, "  %,d organizations, %,d rollup rows of %s and %s (generated in %.1f s)%n", orgs, rows, month.minusMonths(1), month,
                    (System.nanoTime() - generateStart) / 1e9);

            UsageReportService service = context.getBean(UsageReportService.class);
            ReportDocuments documents = context.getBean(ReportDocuments.class);
            List<UsageReport> reports = new ArrayList<>();
            for (int i = 1; i <= orgs; i++) {
                Organization organization = service.organization(1_000_000L + i);
                reports.add(service.report(organization, month));
            }
            ReportDocument sample = service.document(reports.get(0));
            int groups = sample.breakdowns().stream().mapToInt(breakdown -> breakdown.groups().size()).sum();
            for (int i = 0; i < Math.min(40, count); i++) {
                UsageReport report = reports.get(i % reports.size());
                documents.pdf(service.document(report));
                documents.json(service.document(report));
            }
            long[] pdfNanos = new long[count];
            long[] jsonNanos = new long[count];
            long[] pdfRenderNanos = new long[count];
            long[] jsonRenderNanos = new long[count];
            long pdfBytes = 0;
            long jsonBytes = 0;
            for (int i = 0; i < count; i++) {
                UsageReport report = reports.get(i % reports.size());
                long start = System.nanoTime();
                pdfBytes += documents.pdf(service.document(report)).length;
                pdfNanos[i] = System.nanoTime() - start;
                start = System.nanoTime();
                jsonBytes += documents.json(service.document(report)).length();
                jsonNanos[i] = System.nanoTime() - start;
                ReportDocument document = service.document(report);
                start = System.nanoTime();
                documents.pdf(document);
                pdfRenderNanos[i] = System.nanoTime() - start;
                start = System.nanoTime();
                documents.json(document);
                jsonRenderNanos[i] = System.nanoTime() - start;
            }
            double pdfP95 = percentile(pdfNanos, 0.95);
            double jsonP95 = percentile(jsonNanos, 0.95);
            System.out.printf(Locale.ROOT, "  a report: 31 days, %d breakdown groups; PDF %,d bytes, JSON %,d bytes on average%n", groups, pdfBytes / count,
                    jsonBytes / count);
            System.out.printf(Locale.ROOT, "  report PDF  (read + render, %d reports): p50 %.2f ms, p95 %.2f ms%n", count, percentile(pdfNanos, 0.5), pdfP95);
            System.out.printf(Locale.ROOT, "  report JSON (read + render, baseline):  p50 %.2f ms, p95 %.2f ms; PDF / JSON p95 ratio %.2fx%n", percentile(jsonNanos, 0.5),
                    jsonP95, pdfP95 / jsonP95);
            System.out.printf(Locale.ROOT, "  rendering alone: PDF p50 %.2f ms, p95 %.2f ms; JSON p50 %.2f ms, p95 %.2f ms%n", percentile(pdfRenderNanos, 0.5),
                    percentile(pdfRenderNanos, 0.95), percentile(jsonRenderNanos, 0.5), percentile(jsonRenderNanos, 0.95));
            System.out.printf(Locale.ROOT, "  target p95 <= %.0f ms (the invoice PDF's): %s%n", TARGET_P95_MILLIS, pdfP95 <= TARGET_P95_MILLIS ? "PASS" : "FAIL");
            // A report that lost a breakdown's values would render fast for the wrong reason.
            int expected = VALUES.entrySet().stream().filter(entry -> entry.getKey() != Dimension.ALL).mapToInt(entry -> entry.getValue().size()).sum();
            if (groups != expected || sample.daily().size() != 31) {
                System.out.printf(Locale.ROOT, "  WRONG: expected %d groups and 31 days, the report has %d and %d%n", expected, groups, sample.daily().size());
                return 1;
            }
            return 0;
        }
    }

    /** Organizations with company details and the local-day rows of both months, every value of every dimension each day. */
    private static long generate(Connection raw, int orgs, YearMonth month) throws Exception {
        try (Statement statement = raw.createStatement()) {
            statement.execute("SET time_zone = '+00:00'");
        }
        raw.setAutoCommit(false);
        InvoiceCloseBenchmark.organizations(raw, orgs, "bench-report-");
        long rows = 0;
        try (PreparedStatement rollup = raw.prepareStatement("INSERT INTO usage_rollup (organization_id, dimension, grain, bucket_start, dimension_value, currency,"
                + " billing_currency, requests, error_requests, tokens, input_tokens, output_tokens, characters, minutes, images, cost, billing_cost, duration_ms)"
                + " VALUES (?, ?, 'D', ?, ?, 'USD', 'USD', ?, 0, ?, ?, ?, 0, 0, 0, ?, ?, ?)")) {
            for (int i = 1; i <= orgs; i++) {
                ZoneId zone = ZoneId.of(InvoiceCloseBenchmark.ZONES[i % InvoiceCloseBenchmark.ZONES.length]);
                for (LocalDate date = month.minusMonths(1).atDay(1); !date.isAfter(month.atEndOfMonth()); date = date.plusDays(1)) {
                    long calls = (long) CALLS_A_DAY * (1 + date.getDayOfMonth() % 3);
                    LocalDateTime start = LocalDateTime.ofInstant(date.atStartOfDay(zone).toInstant(), ZoneOffset.UTC);
                    for (Map.Entry<Dimension, List<String>> dimension : VALUES.entrySet()) {
                        long requests = calls / dimension.getValue().size();
                        long tokens = requests * TOKENS_A_CALL;
                        BigDecimal cost = COST_A_TOKEN.multiply(BigDecimal.valueOf(tokens));
                        for (String value : dimension.getValue()) {
                            rollup.setLong(1, 1_000_000L + i);
                            rollup.setString(2, dimension.getKey().name());
                            rollup.setObject(3, start);
                            rollup.setString(4, value);
                            rollup.setLong(5, requests);
                            rollup.setLong(6, tokens);
                            rollup.setLong(7, tokens * 4 / 5);
                            rollup.setLong(8, tokens / 5);
                            rollup.setBigDecimal(9, cost);
                            rollup.setBigDecimal(10, cost);
                            rollup.setLong(11, requests * 800);
                            rollup.addBatch();
                            rows++;
                        }
                    }
                }
                rollup.executeBatch();
                raw.commit();
            }
        }
        raw.setAutoCommit(true);
        return rows;
    }
}
