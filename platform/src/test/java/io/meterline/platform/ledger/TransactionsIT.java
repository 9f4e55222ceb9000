package io.meterline.platform.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 001's transactions: the {@code transactions} query and the complete history as CSV from {@code GET /v1/transactions.csv}. */
class TransactionsIT extends ServerTest {

    private static final ZoneId TORONTO = ZoneId.of("America/Toronto");
    private static final String TRICKY = "Top-up, \"card\" ending 42\nsecond line";
    private static final String TRANSACTIONS = "query($org: ID, $first: Int, $types: [LedgerEntryKind!], $range: DateRangeInput) {"
            + " transactions(organizationId: $org, first: $first, types: $types, range: $range) { totalCount pageInfo { hasNextPage }"
            + " nodes { kind account service amount money { amount currencyCode } tokens images description createdAt } } }";
    private static final String ENTRY = "mutation($input: LedgerEntryCreateInput!) { ledgerEntryCreate(input: $input) { entry { id } userErrors { code message } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;
    Fixtures.Tenant other;
    long organizationRow;
    LocalDate purchaseDay;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "tx", "America/Toronto");
        other = Fixtures.tenant(api, "tx-other", "UTC");
        organizationRow = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
        String admin = api.adminToken();
        post(admin, Map.of("organizationId", tenant.organizationId(), "kind", "PURCHASE", "account", "CREDITS", "amount", "10", "reason", "card payment",
                "description", TRICKY));
        post(admin, Map.of("organizationId", tenant.organizationId(), "kind", "GRANT", "account", "TOPUP_TOKENS", "amount", "1000", "reason", "welcome"));
        TestApi.Response usage = api.usage(tenant.apiKey(), "{\"events\":[{\"id\":\"tx-1\",\"timestamp\":\"2026-05-01T00:00:00Z\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"meters\":{\"input_tokens\":1500,\"output_tokens\":300}},{\"id\":\"tx-2\",\"timestamp\":\"2026-05-01T00:00:00Z\","
                + "\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":3}}]}");
        assertThat(usage.status()).as(usage.body()).isEqualTo(200);
        post(admin, Map.of("organizationId", tenant.organizationId(), "kind", "REFUND", "account", "CREDITS", "amount", "1.5", "reason", "goodwill"));
        // The purchase happened 40 days ago, at noon in Toronto.
        purchaseDay = LocalDate.now(TORONTO).minusDays(40);
        rows.execute("UPDATE ledger_entry SET created_at = ? WHERE organization_id = ? AND kind = 'PURCHASE'",
                LocalDateTime.ofInstant(purchaseDay.atTime(12, 0).atZone(TORONTO).toInstant(), ZoneOffset.UTC), organizationRow);
    }

    private void post(String admin, Map<String, Object> input) {
        TestApi.Response response = api.graphql(admin, ENTRY, Map.of("input", input));
        assertThat(response.at("data.ledgerEntryCreate.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    private TestApi.Response query(String token, Map<String, Object> variables) {
        return api.graphql(token, TRANSACTIONS, variables);
    }

    /** Descriptions of the organization's entries, newest first by date like a statement, as stored. */
    private List<String> storedDescriptions(String where) {
        List<String> descriptions = new ArrayList<>();
        long count = rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?" + where, organizationRow);
        for (long offset = 0; offset < count; offset++) {
            descriptions.add((String) rows.value("SELECT description FROM ledger_entry WHERE organization_id = ?" + where + " ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET " + offset,
                    organizationRow));
        }
        return descriptions;
    }

    @Test
    void theTableShowsEveryEntryNewestFirstWithItsColumns() {
        TestApi.Response response = query(tenant.memberToken(), Map.of());
        assertThat(response.at("errors")).as(response.body()).isNull();
        List<String> stored = storedDescriptions("");
        assertThat(response.pluck("data.transactions.nodes", "description")).isEqualTo(new ArrayList<Object>(stored));
        assertThat(response.at("data.transactions.totalCount")).isEqualTo(stored.size());
        assertThat(response.at("data.transactions.nodes.0.kind")).isEqualTo("REFUND");
        assertThat(new BigDecimal((String) response.at("data.transactions.nodes.0.money.amount"))).isEqualByComparingTo("1.5");
        assertThat(stored).contains(TRICKY);

        TestApi.Response usage = query(tenant.memberToken(), Map.of("types", List.of("USAGE")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> usageRows = (List<Map<String, Object>>) usage.at("data.transactions.nodes");
        assertThat(usageRows).isNotEmpty().allSatisfy(row -> {
            assertThat(row.get("kind")).isEqualTo("USAGE");
            assertThat(row.get("service")).isNotNull();
        });
        assertThat(usageRows.stream().mapToLong(row -> ((Number) row.get("tokens")).longValue()).sum()).isEqualTo(1800);
        assertThat(usageRows.stream().mapToLong(row -> ((Number) row.get("images")).longValue()).sum()).isEqualTo(3);
        assertThat(usage.at("data.transactions.totalCount")).isEqualTo(usageRows.size());
        // Token accounts have no money amount.
        TestApi.Response grant = query(tenant.memberToken(), Map.of("types", List.of("GRANT")));
        assertThat(grant.at("data.transactions.nodes.0.amount")).isEqualTo("1000");
        assertThat(grant.at("data.transactions.nodes.0.money")).isNull();
    }

    @Test
    void typeAndRangeFiltersHaveKnownAnswers() {
        int all = storedDescriptions("").size();
        // The usage entries are dated 2026-05-01, when their usage happened, the purchase 40 days ago: neither is in the last 30 days.
        int usage = storedDescriptions(" AND kind = 'USAGE'").size();
        assertThat(usage).isEqualTo(4);
        assertThat(query(tenant.memberToken(), Map.of("types", List.of("REFUND"))).at("data.transactions.totalCount")).isEqualTo(1);
        assertThat(query(tenant.memberToken(), Map.of("types", List.of("PURCHASE", "REFUND"))).pluck("data.transactions.nodes", "kind"))
                .containsExactly("REFUND", "PURCHASE");
        assertThat(query(tenant.memberToken(), Map.of("range", Map.of("preset", "LAST_30_DAYS"))).at("data.transactions.totalCount")).isEqualTo(all - 1 - usage);
        TestApi.Response day = query(tenant.memberToken(), Map.of("range", Map.of("from", purchaseDay.toString(), "to", purchaseDay.toString())));
        assertThat(day.pluck("data.transactions.nodes", "description")).containsExactly(TRICKY);
        TestApi.Response page = query(tenant.memberToken(), Map.of("first", 1));
        assertThat(page.at("data.transactions.pageInfo.hasNextPage")).isEqualTo(true);
        assertThat(query(tenant.memberToken(), Map.of("first", 101)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(query(other.adminToken(), Map.of("org", tenant.organizationId())).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(query(api.adminToken(), Map.of()).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(query(api.adminToken(), Map.of("org", tenant.organizationId())).at("data.transactions.totalCount")).isEqualTo(all);
    }

    private HttpResponse<String> download(String token, String query) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.getURI() + "/v1/transactions.csv" + query)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<CSVRecord> parse(String body) {
        try (CSVParser parser = CSVParser.parse(body, CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).containsExactly("date", "type", "account", "service", "amount", "currency", "tokens", "images", "description");
            return parser.getRecords();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theCsvHoldsTheWholeHistoryQuotedAndNamedWithTheViewersTime() {
        HttpResponse<String> response = download(tenant.memberToken(), "");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        String disposition = response.headers().firstValue("Content-Disposition").orElseThrow();
        assertThat(disposition).matches("attachment; filename=\"meterline-transactions-tx-\\d{8}-\\d{6}\\.csv\"");
        String stamp = disposition.replaceAll(".*-(\\d{8}-\\d{6})\\.csv\"", "$1");
        LocalDateTime named = LocalDateTime.parse(stamp, DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        assertThat(named).isBetween(LocalDateTime.now(TORONTO).minusMinutes(2), LocalDateTime.now(TORONTO).plusMinutes(1));

        List<CSVRecord> records = parse(response.body());
        assertThat(records.stream().map(record -> record.get("description")).toList()).isEqualTo(storedDescriptions(""));
        CSVRecord purchase = records.stream().filter(record -> record.get("type").equals("PURCHASE")).findFirst().orElseThrow();
        assertThat(purchase.get("description")).isEqualTo(TRICKY);
        assertThat(purchase.get("account")).isEqualTo("CREDITS");
        assertThat(new BigDecimal(purchase.get("amount"))).isEqualByComparingTo("10");
        assertThat(purchase.get("date")).isEqualTo(purchaseDay + " 12:00:00");
        assertThat(records.get(0).get("type")).isEqualTo("REFUND");

        assertThat(parse(download(tenant.memberToken(), "?type=REFUND").body())).hasSize(1);
        assertThat(parse(download(tenant.memberToken(), "?type=PURCHASE,REFUND").body())).extracting(record -> record.get("type")).containsExactly("REFUND", "PURCHASE");
        assertThat(parse(download(tenant.memberToken(), "?type=PURCHASE&type=REFUND").body())).hasSize(2);
        assertThat(parse(download(tenant.memberToken(), "?preset=LAST_30_DAYS").body())).hasSize(records.size() - 1 - 4);
        CSVRecord usage = records.stream().filter(record -> record.get("type").equals("USAGE")).findFirst().orElseThrow();
        assertThat(usage.get("date")).as("dated when the usage happened, in the viewer's zone").isEqualTo("2026-04-30 20:00:00");
        assertThat(parse(download(tenant.memberToken(), "?from=" + purchaseDay + "&to=" + purchaseDay).body()))
                .extracting(record -> record.get("description")).containsExactly(TRICKY);
    }

    @Test
    void aLongHistoryStreamsCompletely() {
        Fixtures.Tenant bulk = Fixtures.tenant(api, "tx-bulk", "UTC");
        long bulkRow = GlobalId.decode(bulk.organizationId()).orElseThrow().id();
        int count = 1234;
        String values = String.join(",", Collections.nCopies(count, "(?, 'GRANT', 'CREDITS', 1, 'USD', 0, 0, ?, ?)"));
        List<Object> parameters = new ArrayList<>();
        Timestamp now = Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC));
        for (int index = 0; index < count; index++) {
            parameters.addAll(List.of(bulkRow, "bulk " + index, now));
        }
        rows.execute("INSERT INTO ledger_entry (organization_id, kind, account_kind, amount, currency, tokens, images, description, created_at) VALUES " + values,
                parameters.toArray());
        List<CSVRecord> records = parse(download(bulk.adminToken(), "").body());
        assertThat(records).hasSize(count);
        for (int index = 0; index < count; index++) {
            assertThat(records.get(index).get("description")).isEqualTo("bulk " + (count - 1 - index));
        }
    }

    @Test
    void theDownloadNeedsATokenAndStaysInsideTheTenant() {
        assertThat(download(null, "").statusCode()).isEqualTo(401);
        assertThat(download("not-a-token", "").statusCode()).isEqualTo(401);
        HttpResponse<String> foreign = download(other.adminToken(), "?organizationId=" + tenant.organizationId());
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.body()).doesNotContain("Top-up");
        assertThat(download(api.adminToken(), "").statusCode()).isEqualTo(400);
        HttpResponse<String> platform = download(api.adminToken(), "?organizationId=" + tenant.organizationId());
        assertThat(platform.statusCode()).isEqualTo(200);
        assertThat(platform.headers().firstValue("Content-Disposition").orElseThrow()).contains("meterline-transactions-tx-");
        assertThat(download(tenant.memberToken(), "?type=BOGUS").statusCode()).isEqualTo(400);
        assertThat(download(tenant.memberToken(), "?from=2026-06-15&to=2026-06-14").statusCode()).isEqualTo(400);
        api.graphql(tenant.adminToken(), "mutation { accountIdCreate(input: {code: \"TX-TOOL-01\", label: \"tool\"}) { accountId { id } } }");
        String tool = (String) api.graphql(null, "mutation { accountIdSignIn(input: {organization: \"tx\", code: \"TX-TOOL-01\"}) { accessToken } }")
                .at("data.accountIdSignIn.accessToken");
        assertThat(download(tool, "").statusCode()).isEqualTo(403);
    }
}
