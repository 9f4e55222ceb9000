package io.meterline.platform.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage reports of a Kathmandu organization (+05:45: its months start at 18:15 UTC the day before): the list with Total
 * Reports and filters, one report's days, breakdowns and comparison, custom reports, the PDF, CSV and JSON read back
 * equal to the API, streamed usage exports, typed errors and tenant isolation.
 */
class UsageReportIT extends ServerTest {

    static final String LIST = "query($month: Int, $year: Int, $first: Int, $after: String, $org: ID) { usageReports(organizationId: $org, month: $month, year: $year,"
            + " first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id period year month from to start end timeZone status"
            + " generatedAt tokens requests cost { amount currencyCode } originalCost { amount currencyCode } } } }";
    static final String REPORT = "query($id: ID!) { usageReport(id: $id) { period status tokens requests cost { amount currencyCode } totals { tokens requests }"
            + " daily { date totals { tokens requests cost { amount } } } team: breakdown(by: TEAM) { totalCount groups { key totals { tokens cost { amount } } } }"
            + " model: breakdown(by: MODEL) { groups { key totals { tokens } } }"
            + " comparison { from to totals { tokens requests } tokensChange requestsChange } downloads { pdf csv json teamsCsv } } }";

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    Fixtures.Tenant tenant;
    Fixtures.Tenant other;
    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        return properties;
    }

    @BeforeAll
    void setUp() {
        clock.set(Instant.parse("2026-07-10T12:00:00Z"));
        tenant = Fixtures.tenant(api, "rep-ktm", "Asia/Kathmandu");
        other = Fixtures.tenant(api, "rep-other", "UTC");
        TestApi.Response details = api.graphql(tenant.adminToken(), "mutation($input: CompanyDetailsUpdateInput!) { companyDetailsUpdate(input: $input) {"
                + " userErrors { message } } }", Map.of("input", Map.of("companyName", "Himal Analytics Pvt Ltd", "contactName", "Asha Rai",
                "addressLine1", "Durbar Marg 1", "city", "Kathmandu", "postalCode", "44600", "country", "NP", "billingEmail", "billing@himal.test")));
        assertThat(details.at("data.companyDetailsUpdate.userErrors")).as(details.body()).isEqualTo(List.of());
        // Kathmandu's June runs from 2026-05-31T18:15Z to 2026-06-30T18:15Z.
        record(tenant, "may-last", "2026-05-31T18:14:59Z", 1000, 0, Map.of());
        record(tenant, "june-first", "2026-05-31T18:15:00Z", 2000, 0, Map.of("team", "search", "feature", "chat"));
        record(tenant, "june-mid", "2026-06-15T06:00:00Z", 4000, 1000, Map.of("team", "sales", "feature", "agents"));
        record(tenant, "june-last", "2026-06-30T18:14:59Z", 8000, 0, Map.of("team", "search", "feature", "chat"));
        record(tenant, "july-first", "2026-06-30T18:15:00Z", 16000, 0, Map.of("team", "search"));
        record(other, "other-june", "2026-06-15T12:00:00Z", 99999, 0, Map.of("team", "search"));
        roller.rollAll();
    }

    private void record(Fixtures.Tenant owner, String id, String timestamp, int inputTokens, int outputTokens, Map<String, String> dimensions) {
        Map<String, Object> event = Map.of("id", id, "timestamp", timestamp, "provider", "openai", "model", "gpt-4o",
                "meters", Map.of("input_tokens", inputTokens, "output_tokens", outputTokens), "dimensions", dimensions);
        TestApi.Response response = api.usage(owner.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private TestApi.Response list(String token, Map<String, Object> variables) {
        return api.graphql(token, LIST, variables);
    }

    private List<?> nodes(Map<String, Object> variables) {
        TestApi.Response response = list(tenant.memberToken(), variables);
        assertThat(response.at("errors")).as(response.body()).isNull();
        return (List<?>) response.at("data.usageReports.nodes");
    }

    private String juneId() {
        return (String) TestApi.at(nodes(Map.of("month", 6, "year", 2026)).get(0), "id");
    }

    private Map<?, ?> june() {
        TestApi.Response response = api.graphql(tenant.memberToken(), REPORT, Map.of("id", juneId()));
        assertThat(response.at("errors")).as(response.body()).isNull();
        return (Map<?, ?>) response.at("data.usageReport");
    }

    private HttpResponse<String> download(String token, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.getURI().resolve(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<byte[]> downloadBytes(String token, String path) {
        try {
            return http.send(HttpRequest.newBuilder(server.getURI().resolve(path)).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<CSVRecord> csv(String body) {
        try (CSVParser parser = CSVParser.parse(body, CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            return parser.getRecords();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BigDecimal decimal(Object value) {
        return new BigDecimal(String.valueOf(value));
    }

    @Test
    void theListShowsTheOrganizationsLocalMonthsNewestFirstWithTotalReports() {
        List<?> all = nodes(Map.of());
        assertThat(all.stream().map(node -> TestApi.at(node, "period")).toList()).containsExactly("2026-07", "2026-06", "2026-05");
        Object june = all.get(1);
        assertThat(TestApi.at(june, "from")).isEqualTo("2026-06-01");
        assertThat(TestApi.at(june, "to")).isEqualTo("2026-06-30");
        assertThat(TestApi.at(june, "start")).isEqualTo("2026-06-01T00:00:00+05:45");
        assertThat(TestApi.at(june, "end")).isEqualTo("2026-07-01T00:00:00+05:45");
        assertThat(TestApi.at(june, "timeZone")).isEqualTo("Asia/Kathmandu");
        // The events one second either side of each local midnight fall in their own months.
        assertThat(decimal(TestApi.at(june, "tokens"))).isEqualByComparingTo("15000");
        assertThat(TestApi.at(june, "requests")).isEqualTo(3);
        assertThat(decimal(TestApi.at(all.get(2), "tokens"))).isEqualByComparingTo("1000");
        assertThat(decimal(TestApi.at(all.get(0), "tokens"))).isEqualByComparingTo("16000");
        assertThat(TestApi.at(june, "cost.currencyCode")).isEqualTo("USD");
        assertThat(decimal(TestApi.at(june, "cost.amount"))).isPositive();
        assertThat(TestApi.at(june, "originalCost.0.amount")).isEqualTo(TestApi.at(june, "cost.amount"));
        // June's figures became final an hour (the grace period) after its local end; July runs.
        assertThat(TestApi.at(june, "status")).isEqualTo("COMPLETED");
        assertThat(TestApi.at(june, "generatedAt")).isEqualTo("2026-06-30T19:15:00Z");
        assertThat(TestApi.at(all.get(0), "status")).isEqualTo("CURRENT");

        // Total Reports counts every report before the filter narrows the list.
        TestApi.Response filtered = list(tenant.memberToken(), Map.of("month", 5));
        assertThat(filtered.at("data.usageReports.totalCount")).isEqualTo(3);
        assertThat(filtered.pluck("data.usageReports.nodes", "period")).containsExactly("2026-05");
        assertThat(nodes(Map.of("year", 2026))).hasSize(3);
        assertThat(nodes(Map.of("year", 2025))).isEmpty();

        TestApi.Response first = list(tenant.memberToken(), Map.of("first", 2));
        assertThat(first.pluck("data.usageReports.nodes", "period")).containsExactly("2026-07", "2026-06");
        assertThat(first.at("data.usageReports.pageInfo.hasNextPage")).isEqualTo(true);
        TestApi.Response next = list(tenant.memberToken(), Map.of("first", 2, "after", first.at("data.usageReports.pageInfo.endCursor")));
        assertThat(next.pluck("data.usageReports.nodes", "period")).containsExactly("2026-05");
        assertThat(next.at("data.usageReports.pageInfo.hasNextPage")).isEqualTo(false);
    }

    @Test
    void aReportHasItsDaysBreakdownsAndTheMonthBefore() {
        Map<?, ?> june = june();
        List<?> daily = (List<?>) june.get("daily");
        assertThat(daily).hasSize(30);
        assertThat(TestApi.at(daily.get(0), "date")).isEqualTo("2026-06-01");
        assertThat(decimal(TestApi.at(daily.get(0), "totals.tokens"))).isEqualByComparingTo("2000");
        assertThat(decimal(TestApi.at(daily.get(29), "totals.tokens"))).isEqualByComparingTo("8000");
        assertThat(TestApi.at(june, "team.totalCount")).isEqualTo(2);
        assertThat(TestApi.at(june, "team.groups.0.key")).isEqualTo("search");
        assertThat(decimal(TestApi.at(june, "team.groups.0.totals.tokens"))).isEqualByComparingTo("10000");
        assertThat(decimal(TestApi.at(june, "team.groups.1.totals.tokens"))).isEqualByComparingTo("5000");
        assertThat(TestApi.at(june, "model.groups.0.key")).isEqualTo("openai/gpt-4o");
        assertThat(TestApi.at(june, "comparison.from")).isEqualTo("2026-05-01");
        assertThat(decimal(TestApi.at(june, "comparison.totals.tokens"))).isEqualByComparingTo("1000");
        assertThat(((Number) TestApi.at(june, "comparison.tokensChange")).doubleValue()).isEqualTo(1400.0);
        assertThat(((Number) TestApi.at(june, "comparison.requestsChange")).doubleValue()).isEqualTo(200.0);

        TestApi.Response node = api.graphql(tenant.memberToken(), "query($id: ID!) { node(id: $id) { id ... on UsageReport { period status } } }", Map.of("id", juneId()));
        assertThat(node.at("data.node.period")).as(node.body()).isEqualTo("2026-06");
    }

    @Test
    void customReportsPickAModelAndAFeatureAndCompareTwoPeriods() {
        String query = "query($range: DateRangeInput!, $compareTo: DateRangeInput) { usageReportCustom(range: $range, compareTo: $compareTo, model: \"openai/gpt-4o\","
                + " feature: \"chat\") { from to timeZone totals { tokens } daily { date } model { key totals { tokens } tokenShare } feature { key totals { tokens } }"
                + " comparison { from to totals { tokens } feature { totals { tokens } } tokensChange } } }";
        TestApi.Response response = api.graphql(tenant.memberToken(), query, Map.of("range", Map.of("from", "2026-06-01", "to", "2026-06-30"),
                "compareTo", Map.of("from", "2026-05-01", "to", "2026-05-31")));
        assertThat(response.at("errors")).as(response.body()).isNull();
        assertThat(decimal(response.at("data.usageReportCustom.totals.tokens"))).isEqualByComparingTo("15000");
        assertThat(decimal(response.at("data.usageReportCustom.model.totals.tokens"))).isEqualByComparingTo("15000");
        assertThat(((Number) response.at("data.usageReportCustom.model.tokenShare")).doubleValue()).isEqualTo(100.0);
        assertThat(decimal(response.at("data.usageReportCustom.feature.totals.tokens"))).isEqualByComparingTo("10000");
        assertThat(decimal(response.at("data.usageReportCustom.comparison.totals.tokens"))).isEqualByComparingTo("1000");
        assertThat(decimal(response.at("data.usageReportCustom.comparison.feature.totals.tokens"))).isEqualByComparingTo("0");
        assertThat((List<?>) response.at("data.usageReportCustom.daily")).hasSize(30);

        // Without compareTo: as many days just before.
        TestApi.Response week = api.graphql(tenant.memberToken(), query, Map.of("range", Map.of("from", "2026-06-08", "to", "2026-06-14")));
        assertThat(week.at("data.usageReportCustom.comparison.from")).as(week.body()).isEqualTo("2026-06-01");
        assertThat(week.at("data.usageReportCustom.comparison.to")).isEqualTo("2026-06-07");

        TestApi.Response reversed = api.graphql(tenant.memberToken(), query, Map.of("range", Map.of("from", "2026-06-30", "to", "2026-06-01")));
        assertThat(reversed.at("errors.0.extensions.code")).as(reversed.body()).isEqualTo("BAD_USER_INPUT");
        TestApi.Response half = api.graphql(tenant.memberToken(), query, Map.of("range", Map.of("from", "2026-06-01")));
        assertThat(half.at("errors.0.extensions.code")).as(half.body()).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void aMonthInTheFutureOrNoMonthIsBadInput() {
        for (Map<String, Object> variables : List.<Map<String, Object>>of(Map.of("month", 8, "year", 2026), Map.of("year", 2027), Map.of("month", 13),
                Map.of("month", 0))) {
            TestApi.Response response = list(tenant.memberToken(), variables);
            assertThat(response.at("errors.0.extensions.code")).as(response.body()).isEqualTo("BAD_USER_INPUT");
            assertThat(response.at("data")).isNull();
        }
        TestApi.Response malformed = api.graphql(tenant.memberToken(), REPORT, Map.of("id", "not-an-id"));
        assertThat(malformed.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
    }

    @Test
    void anotherOrganizationsReportsAndDownloadsAreNotFound() {
        String june = juneId();
        TestApi.Response report = api.graphql(other.adminToken(), REPORT, Map.of("id", june));
        assertThat(report.at("errors.0.extensions.code")).as(report.body()).isEqualTo("NOT_FOUND");
        assertThat(report.at("data.usageReport")).isNull();
        TestApi.Response node = api.graphql(other.adminToken(), "query($id: ID!) { node(id: $id) { id } }", Map.of("id", june));
        assertThat(node.at("data.node")).isNull();
        TestApi.Response listed = list(other.adminToken(), Map.of("org", tenant.organizationId()));
        assertThat(listed.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        TestApi.Response custom = api.graphql(other.adminToken(), "query($org: ID) { usageReportCustom(organizationId: $org, range: {preset: CURRENT_MONTH}) { from } }",
                Map.of("org", tenant.organizationId()));
        assertThat(custom.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        // Their own list holds their own months only (their June: 99999 tokens, none of this tenant's).
        List<?> own = (List<?>) list(other.memberToken(), Map.of()).at("data.usageReports.nodes");
        assertThat(own.stream().map(row -> decimal(TestApi.at(row, "tokens")).toBigInteger().longValue()).toList()).contains(99999L).doesNotContain(15000L);

        for (String path : List.of(".pdf", ".csv", ".json", "/teams.csv")) {
            HttpResponse<String> refused = download(other.memberToken(), "/v1/reports/" + june + path);
            assertThat(refused.statusCode()).as(path).isEqualTo(404);
            assertThat(refused.body()).contains("NOT_FOUND");
            assertThat(download(null, "/v1/reports/" + june + path).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> export = download(other.memberToken(), "/v1/usage/export.csv?organizationId=" + tenant.organizationId());
        assertThat(export.statusCode()).isEqualTo(404);
        assertThat(download(null, "/v1/usage/export.json").statusCode()).isEqualTo(401);
        // Their own export holds their own events only.
        List<CSVRecord> theirs = csv(download(other.memberToken(), "/v1/usage/export.csv").body());
        assertThat(theirs.stream().map(row -> row.get("event_id")).toList()).containsExactly("other-june");
    }

    @Test
    void thePdfShowsTheBillToBlockAndTheApisNumbers() throws IOException {
        Map<?, ?> june = june();
        HttpResponse<byte[]> response = downloadBytes(tenant.memberToken(), (String) TestApi.at(june, "downloads.pdf"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/pdf");
        // The clock's 12:00Z is 17:45 in Kathmandu.
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
                .isEqualTo("attachment; filename=\"meterline-usage-report-rep-ktm-2026-06-20260710-174500.pdf\"");
        String text;
        try (PDDocument pdf = Loader.loadPDF(response.body())) {
            text = new PDFTextStripper().getText(pdf);
        }
        assertThat(text).contains("BILL TO", "Himal Analytics Pvt Ltd", "Asha Rai", "Durbar Marg 1", "Kathmandu 44600", "NP", "billing@himal.test");
        assertThat(text).contains("Period 2026-06-01 to 2026-06-30 (Asia/Kathmandu)", "Status COMPLETED");
        String cost = (String) TestApi.at(june, "cost.amount");
        assertThat(text).contains("Month 15000 3 " + cost + " USD");
        assertThat(text).contains("Previous month 1000 1 ");
        assertThat(text).contains("search 10000 2 " + TestApi.at(june, "team.groups.0.totals.cost.amount") + " USD");
        assertThat(text).contains("sales 5000 1 " + TestApi.at(june, "team.groups.1.totals.cost.amount") + " USD");
        assertThat(text).contains("2026-06-30 8000 1 " + TestApi.at(june, "daily.29.totals.cost.amount") + " USD");
    }

    @Test
    void theCsvAndJsonReadBackEqualToTheApi() {
        Map<?, ?> june = june();
        HttpResponse<String> response = download(tenant.memberToken(), (String) TestApi.at(june, "downloads.csv"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow()).contains("meterline-usage-report-rep-ktm-2026-06-20260710-174500.csv");
        List<CSVRecord> rows = csv(response.body());
        CSVRecord total = rows.get(0);
        assertThat(total.get("section")).isEqualTo("TOTAL");
        assertThat(total.get("tokens")).isEqualTo("15000");
        assertThat(total.get("requests")).isEqualTo("3");
        assertThat(total.get("cost")).isEqualTo(TestApi.at(june, "cost.amount"));
        assertThat(total.get("currency")).isEqualTo("USD");
        assertThat(rows.get(1).get("section")).isEqualTo("PREVIOUS");
        assertThat(rows.get(1).get("tokens")).isEqualTo("1000");
        List<CSVRecord> days = rows.stream().filter(row -> row.get("section").equals("DAY")).toList();
        assertThat(days).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(days.get(i).get("key")).isEqualTo(TestApi.at(june, "daily." + i + ".date"));
            assertThat(new BigDecimal(days.get(i).get("tokens"))).isEqualByComparingTo(decimal(TestApi.at(june, "daily." + i + ".totals.tokens")));
            assertThat(days.get(i).get("cost")).isEqualTo(TestApi.at(june, "daily." + i + ".totals.cost.amount"));
        }
        List<CSVRecord> teams = rows.stream().filter(row -> row.get("section").equals("TEAM")).toList();
        assertThat(teams.stream().map(row -> row.get("key")).toList()).containsExactly("search", "sales");
        assertThat(teams.get(0).get("cost")).isEqualTo(TestApi.at(june, "team.groups.0.totals.cost.amount"));
        assertThat(rows.stream().filter(row -> row.get("section").equals("FEATURE")).map(row -> row.get("key")).toList()).containsExactlyInAnyOrder("chat", "agents");

        List<CSVRecord> summary = csv(download(tenant.memberToken(), (String) TestApi.at(june, "downloads.teamsCsv")).body());
        assertThat(summary.stream().map(row -> row.get("team") + "=" + row.get("tokens")).toList()).containsExactly("search=10000", "sales=5000");
        assertThat(summary.get(1).get("cost")).isEqualTo(TestApi.at(june, "team.groups.1.totals.cost.amount"));

        HttpResponse<String> json = download(tenant.memberToken(), (String) TestApi.at(june, "downloads.json"));
        assertThat(json.statusCode()).isEqualTo(200);
        Object document = read(json.body());
        assertThat(TestApi.at(document, "totals.tokens")).isEqualTo("15000");
        assertThat(TestApi.at(document, "totals.cost.amount")).isEqualTo(TestApi.at(june, "cost.amount"));
        assertThat(TestApi.at(document, "billTo.companyName")).isEqualTo("Himal Analytics Pvt Ltd");
        assertThat(TestApi.at(document, "start")).isEqualTo("2026-06-01T00:00:00+05:45");
        assertThat(TestApi.at(document, "breakdowns.TEAM.0.key")).isEqualTo("search");
    }

    private List<Map<String, Object>> readList(String body) {
        try {
            return jsonMapper.readValue(body, io.micronaut.core.type.Argument.listOf(io.micronaut.core.type.Argument.mapOf(String.class, Object.class)));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object read(String body) {
        try {
            return jsonMapper.readValue(body, io.micronaut.core.type.Argument.OBJECT_ARGUMENT);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theUsageExportStreamsEventsWithTheOrganizationsOffsetAndTheEventFilters() {
        HttpResponse<String> response = download(tenant.memberToken(), "/v1/usage/export.csv?from=2026-06-01&to=2026-06-30");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow()).isEqualTo("attachment; filename=\"meterline-usage-rep-ktm-20260710-174500.csv\"");
        List<CSVRecord> rows = csv(response.body());
        assertThat(rows.stream().map(row -> row.get("event_id")).toList()).containsExactly("june-first", "june-mid", "june-last");
        assertThat(rows.get(0).get("occurred_at")).isEqualTo("2026-06-01T00:00:00+05:45");
        assertThat(rows.get(2).get("occurred_at")).isEqualTo("2026-06-30T23:59:59+05:45");
        assertThat(rows.get(1).get("input_tokens")).isEqualTo("4000");
        assertThat(rows.get(1).get("output_tokens")).isEqualTo("1000");
        assertThat(rows.get(1).get("team")).isEqualTo("sales");
        // The rows add up to the report of the same month.
        Map<?, ?> june = june();
        assertThat(rows.stream().map(row -> new BigDecimal(row.get("tokens"))).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("15000");
        assertThat(rows.stream().map(row -> new BigDecimal(row.get("cost"))).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo(decimal(TestApi.at(june, "cost.amount")));

        HttpResponse<String> json = download(tenant.memberToken(), "/v1/usage/export.json?from=2026-06-01&to=2026-06-30&status=OK&model=gpt-4o");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("Content-Disposition").orElseThrow()).contains("meterline-usage-rep-ktm-20260710-174500.json");
        assertThat(json.body()).startsWith("[{\"event_id\":\"june-first\",").endsWith("}]");
        List<Map<String, Object>> events = readList(json.body());
        assertThat(events.stream().map(event -> TestApi.at(event, "event_id")).toList()).containsExactly("june-first", "june-mid", "june-last");
        assertThat(TestApi.at(events.get(1), "tokens")).isEqualTo(5000);
        assertThat(TestApi.at(events.get(1), "occurred_at")).isEqualTo("2026-06-15T11:45:00+05:45");
        assertThat(readList(download(tenant.memberToken(), "/v1/usage/export.json?status=ERROR").body())).isEmpty();
        assertThat(csv(download(tenant.memberToken(), "/v1/usage/export.csv").body())).hasSize(5);

        for (String query : List.of("from=2026-13-01&to=2026-13-02", "from=2026-06-30&to=2026-06-01", "from=2026-06-01", "status=BOGUS", "preset=YESTERYEAR")) {
            HttpResponse<String> refused = download(tenant.memberToken(), "/v1/usage/export.csv?" + query);
            assertThat(refused.statusCode()).as(query).isEqualTo(400);
            assertThat(refused.body()).contains("BAD_USER_INPUT");
        }
    }

    @Test
    void aLargeExportIsStreamedInManyChunksThatStillParse() {
        Fixtures.Tenant bulk = Fixtures.tenant(api, "rep-bulk", "America/Toronto");
        List<Map<String, Object>> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batch.add(Map.of("id", "bulk-" + i, "timestamp", Instant.parse("2026-07-01T12:00:00Z").plusSeconds(i).toString(), "provider", "openai",
                    "model", "gpt-4o", "meters", Map.of("input_tokens", 100 + i), "dimensions", Map.of("team", "t\"" + i % 3, "feature", "quote, comma")));
        }
        TestApi.Response recorded = api.usage(bulk.apiKey(), api.write(Map.of("events", batch)));
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);
        // About 170 KB of JSON and 120 KB of CSV: several 64 KB chunks each.
        HttpResponse<String> json = download(bulk.memberToken(), "/v1/usage/export.json");
        assertThat(json.body().length()).isGreaterThan(3 * 64 * 1024 / 2);
        List<Map<String, Object>> events = readList(json.body());
        assertThat(events).hasSize(400);
        assertThat(events.get(399).get("event_id")).isEqualTo("bulk-399");
        assertThat(events.get(0).get("occurred_at")).isEqualTo("2026-07-01T08:00:00-04:00");
        assertThat(events.get(1).get("team")).isEqualTo("t\"1");
        List<CSVRecord> rows = csv(download(bulk.memberToken(), "/v1/usage/export.csv").body());
        assertThat(rows).hasSize(400);
        assertThat(rows.get(2).get("team")).isEqualTo("t\"2");
        assertThat(rows.get(2).get("feature")).isEqualTo("quote, comma");
        assertThat(rows.stream().mapToLong(row -> Long.parseLong(row.get("input_tokens"))).sum()).isEqualTo(400 * 100 + 399 * 400 / 2);
    }
}
