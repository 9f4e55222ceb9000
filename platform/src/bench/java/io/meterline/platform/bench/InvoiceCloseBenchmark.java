package io.meterline.platform.bench;

import com.lowagie.text.Document;
import com.lowagie.text.Paragraph;
import com.lowagie.text.pdf.PdfWriter;
import io.meterline.platform.invoice.InvoiceDocuments;
import io.meterline.platform.invoice.InvoiceStore;
import io.meterline.platform.invoice.MonthClose;
import io.micronaut.context.ApplicationContext;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 17's targets for the month close, in one run on MariaDB; a command, not a test (see {@code platform/BENCHMARK.md}).
 * <ol>
 * <li>{@code -Dorgs} organizations (1,000) in five zones, each with company details in a taxed region, and the rollups of
 * {@code -Devents} usage events (10,000,000) in the month that ended last: the close reads rollups, never events, so the
 * events are generated as the local-day MODEL rows the roller folds them into (10 models x every day of the month per
 * organization, each row holding its share of the events' requests, tokens and cost), which takes seconds instead of the
 * hour 10M ingested events would.</li>
 * <li>Times one {@link MonthClose#run()} (claim every period, finalize every draft: lines, tax, numbers): at most 60 s.
 * The baseline in the same run is the least any close must do: one GROUP BY over the same rollup rows and plain batched
 * inserts of as many invoices and lines; the ratio close / baseline is printed.</li>
 * <li>Renders {@code -Dpdfs} (200) invoice PDFs as the download does (read the invoice, its lines, payments and credit
 * notes; render): p95 at most 200 ms. Baseline: an empty one-page OpenPDF document.</li>
 * </ol>
 */
public final class InvoiceCloseBenchmark {

    static final String[] ZONES = {"UTC", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"};
    private static final int MODELS = 10;
    private static final double TARGET_CLOSE_SECONDS = 60;
    private static final double TARGET_PDF_P95_MILLIS = 200;

    private InvoiceCloseBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.exitWith(InvoiceCloseBenchmark::run);
    }

    private static int run() throws Exception {
        String databaseUrl = BenchMain.option("db.url", "jdbc:mariadb://127.0.0.1:3306/meterline_bench_invoice");
        String user = System.getProperty("db.user", "root");
        String password = System.getProperty("db.password", "");
        int orgs = Integer.getInteger("orgs", 1_000);
        long events = Long.getLong("events", 10_000_000);
        int pdfs = Integer.getInteger("pdfs", 200);
        AuthorizeLatencyBenchmark.requireBenchDatabase(databaseUrl);
        AuthorizeLatencyBenchmark.createDatabaseIfMissing(databaseUrl, user, password);
        Map<String, Object> properties = AuthorizeLatencyBenchmark.serverProperties(databaseUrl, user, password);
        properties.put("meterline.analytics.scheduled-roll", false);
        properties.put("meterline.invoices.scheduled-close", false);
        properties.put("meterline.invoices.email-invoices", false);
        System.out.println("Meterline month-close benchmark");
        try (ApplicationContext context = ApplicationContext.run(properties); Connection raw = DriverManager.getConnection(databaseUrl, user, password)) {
            try (Statement statement = raw.createStatement()) {
                statement.execute("SET time_zone = '+00:00'");
            }
            YearMonth month = YearMonth.now(context.getBean(Clock.class)).minusMonths(2);
            long generateStart = System.nanoTime();
            long rollupRows = generate(raw, orgs, events, month);
            System.out.printf(Locale.ROOT, "  %,d organizations, %,d events as %,d rollup rows of %s (generated in %.1f s)%n", orgs, events, rollupRows,
                    month.plusMonths(1), (System.nanoTime() - generateStart) / 1e9);

            long baselineStart = System.nanoTime();
            baseline(raw, month.plusMonths(1));
            double baselineSeconds = (System.nanoTime() - baselineStart) / 1e9;

            MonthClose close = context.getBean(MonthClose.class);
            long closeStart = System.nanoTime();
            MonthClose.Result result = close.run();
            double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
            long finalized = count(raw, "SELECT COUNT(*) FROM invoice WHERE status <> 'DRAFT'");
            long lines = count(raw, "SELECT COUNT(*) FROM invoice_line");
            System.out.printf(Locale.ROOT, "  close: %,d claimed, %,d finalized (%,d failed), %,d lines in %.1f s; baseline (GROUP BY + raw inserts) %.1f s;"
                    + " ratio %.1fx%n", result.claimed(), result.finalized(), result.failed(), lines, closeSeconds, baselineSeconds, closeSeconds / baselineSeconds);
            boolean closeCorrect = finalized == orgs && result.failed() == 0 && lines == (long) orgs * MODELS;
            boolean closePass = closeSeconds <= TARGET_CLOSE_SECONDS;
            System.out.printf(Locale.ROOT, "  close target <= %.0f s: %s%s%n", TARGET_CLOSE_SECONDS, closePass ? "PASS" : "FAIL",
                    closeCorrect ? "" : " (WRONG: expected " + orgs + " invoices of " + MODELS + " lines)");

            InvoiceStore store = context.getBean(InvoiceStore.class);
            InvoiceDocuments documents = context.getBean(InvoiceDocuments.class);
            List<Long> ids = new ArrayList<>();
            try (ResultSet rows = raw.createStatement().executeQuery("SELECT id FROM invoice ORDER BY id LIMIT " + pdfs)) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
            for (int i = 0; i < Math.min(20, ids.size()); i++) {
                documents.pdf(store.find(ids.get(i)).orElseThrow());
                emptyPdf();
            }
            long[] pdfNanos = new long[ids.size()];
            long[] emptyNanos = new long[ids.size()];
            int bytes = 0;
            for (int i = 0; i < ids.size(); i++) {
                long start = System.nanoTime();
                bytes += documents.pdf(store.find(ids.get(i)).orElseThrow()).length;
                pdfNanos[i] = System.nanoTime() - start;
                start = System.nanoTime();
                emptyPdf();
                emptyNanos[i] = System.nanoTime() - start;
            }
            double pdfP95 = p95(pdfNanos);
            double emptyP95 = p95(emptyNanos);
            boolean pdfPass = pdfP95 <= TARGET_PDF_P95_MILLIS;
            System.out.printf(Locale.ROOT, "  invoice PDF (read + render, %d invoices, %,d bytes average): p95 %.2f ms; baseline empty PDF p95 %.2f ms; ratio %.1fx;"
                    + " target <= %.0f ms: %s%n", ids.size(), ids.isEmpty() ? 0 : bytes / ids.size(), pdfP95, emptyP95, pdfP95 / emptyP95, TARGET_PDF_P95_MILLIS,
                    pdfPass ? "PASS" : "FAIL");
            return closeCorrect ? 0 : 1;
        }
    }

    /**
     * Organizations, their company details (Ontario, taxed), an HST rate, and the month's MODEL rollup rows: one per local
     * day and model, the events spread evenly; each event 1,500 tokens at 0.000004 USD a token.
     */
    private static long generate(Connection raw, int orgs, long events, YearMonth month) throws Exception {
        raw.setAutoCommit(false);
        try (Statement statement = raw.createStatement()) {
            statement.execute("INSERT INTO tax_rate (country, region, name, percent, effective_from, created_by, created_at)"
                    + " VALUES ('CA', 'ON', 'HST', 13, '2020-01-01', 'bench', NOW(6))");
        }
        organizations(raw, orgs, "bench-close-");
        YearMonth closed = month.plusMonths(1);
        int days = closed.lengthOfMonth();
        long rowsPerOrg = (long) days * MODELS;
        long perRow = Math.max(1, events / (orgs * rowsPerOrg));
        long rows = 0;
        try (PreparedStatement rollup = raw.prepareStatement("INSERT INTO usage_rollup (organization_id, dimension, grain, bucket_start, dimension_value, currency,"
                + " billing_currency, requests, error_requests, tokens, input_tokens, output_tokens, characters, minutes, images, cost, billing_cost, duration_ms)"
                + " VALUES (?, 'MODEL', 'D', ?, ?, 'USD', 'USD', ?, 0, ?, ?, 0, 0, 0, 0, ?, ?, 0)")) {
            for (int i = 1; i <= orgs; i++) {
                ZoneId zone = ZoneId.of(ZONES[i % ZONES.length]);
                for (int day = 1; day <= days; day++) {
                    LocalDate date = closed.atDay(day);
                    for (int model = 0; model < MODELS; model++) {
                        long tokens = perRow * 1_500;
                        java.math.BigDecimal cost = java.math.BigDecimal.valueOf(tokens).multiply(new java.math.BigDecimal("0.000004"));
                        rollup.setLong(1, 1_000_000L + i);
                        rollup.setObject(2, java.time.LocalDateTime.ofInstant(date.atStartOfDay(zone).toInstant(), java.time.ZoneOffset.UTC));
                        rollup.setString(3, "provider-" + model + "/model-" + model);
                        rollup.setLong(4, perRow);
                        rollup.setLong(5, tokens);
                        rollup.setLong(6, tokens);
                        rollup.setBigDecimal(7, cost);
                        rollup.setBigDecimal(8, cost);
                        rollup.addBatch();
                        rows++;
                    }
                }
                if (i % 50 == 0) {
                    rollup.executeBatch();
                    raw.commit();
                }
            }
            rollup.executeBatch();
        }
        raw.commit();
        raw.setAutoCommit(true);
        return rows;
    }

    /**
     * Organizations {@code 1,000,001} to {@code 1,000,000 + orgs}, billed in USD, in {@link #ZONES} by turns, each with
     * company details in Ontario (the BILL TO block); in the caller's transaction.
     */
    static void organizations(Connection raw, int orgs, String slugPrefix) throws Exception {
        try (PreparedStatement organization = raw.prepareStatement("INSERT INTO organization (id, name, slug, billing_currency, time_zone, unpriced_usage_policy,"
                + " cost_factor, discount_percent, created_at) VALUES (?, ?, ?, 'USD', ?, 'ACCEPT', 1, 0, '2020-01-01 00:00:00')");
             PreparedStatement details = raw.prepareStatement("INSERT INTO company_details (organization_id, company_name, billing_email, region, country,"
                     + " updated_at, updated_by) VALUES (?, ?, ?, 'ON', 'CA', NOW(6), 'bench')")) {
            for (int i = 1; i <= orgs; i++) {
                long id = 1_000_000L + i;
                organization.setLong(1, id);
                organization.setString(2, "Bench " + i);
                organization.setString(3, slugPrefix + i);
                organization.setString(4, ZONES[i % ZONES.length]);
                organization.addBatch();
                details.setLong(1, id);
                details.setString(2, "Bench Company " + i);
                details.setString(3, "billing@bench-" + i + ".test");
                details.addBatch();
            }
            organization.executeBatch();
            details.executeBatch();
        }
    }

    /** The least a close must do: sum the period's rollups per organization and model, and write as many invoices and lines. */
    private static void baseline(Connection raw, YearMonth closed) throws Exception {
        try (Statement statement = raw.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE bench_invoice (id BIGINT AUTO_INCREMENT PRIMARY KEY, organization_id BIGINT, total DECIMAL(30, 9))");
            statement.execute("CREATE TEMPORARY TABLE bench_line (invoice_id BIGINT, dimension_value VARCHAR(255), quantity DECIMAL(38, 9), amount DECIMAL(30, 9))");
        }
        raw.setAutoCommit(false);
        List<Object[]> sums = new ArrayList<>();
        try (PreparedStatement select = raw.prepareStatement("SELECT organization_id, dimension_value, SUM(tokens), SUM(billing_cost) FROM usage_rollup"
                + " WHERE dimension = 'MODEL' AND grain = 'D' AND bucket_start >= ? AND bucket_start < ? GROUP BY organization_id, dimension_value")) {
            select.setObject(1, closed.atDay(1).minusDays(1).atStartOfDay());
            select.setObject(2, closed.plusMonths(1).atDay(2).atStartOfDay());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    sums.add(new Object[] {rows.getLong(1), rows.getString(2), rows.getBigDecimal(3), rows.getBigDecimal(4)});
                }
            }
        }
        try (PreparedStatement invoice = raw.prepareStatement("INSERT INTO bench_invoice (organization_id, total) VALUES (?, 0)");
             PreparedStatement line = raw.prepareStatement("INSERT INTO bench_line (invoice_id, dimension_value, quantity, amount) VALUES (?, ?, ?, ?)")) {
            long previous = -1;
            for (Object[] sum : sums) {
                if ((Long) sum[0] != previous) {
                    invoice.setLong(1, (Long) sum[0]);
                    invoice.addBatch();
                    previous = (Long) sum[0];
                }
                line.setLong(1, (Long) sum[0]);
                line.setString(2, (String) sum[1]);
                line.setBigDecimal(3, (java.math.BigDecimal) sum[2]);
                line.setBigDecimal(4, (java.math.BigDecimal) sum[3]);
                line.addBatch();
            }
            invoice.executeBatch();
            line.executeBatch();
        }
        raw.commit();
        raw.setAutoCommit(true);
    }

    private static void emptyPdf() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document document = new Document();
        PdfWriter.getInstance(document, out);
        document.open();
        document.add(new Paragraph("baseline"));
        document.close();
    }

    private static long count(Connection raw, String sql) throws Exception {
        try (ResultSet rows = raw.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static double p95(long[] nanos) {
        return percentile(nanos, 0.95);
    }

    /** The {@code fraction} percentile of the timings, in milliseconds (nearest rank). */
    static double percentile(long[] nanos, double fraction) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[(int) Math.ceil(sorted.length * fraction) - 1] / 1e6;
    }
}
