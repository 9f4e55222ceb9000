package io.meterline.platform.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MailServer;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Month close and invoices through the public API on the real database. gpt-4 is priced at 0.03 USD per thousand input
 * tokens and the organizations bill in USD, so each event's cost is exact: 100,000 tokens are 3.00 USD, 11,111 are
 * 0.33333 USD (a third of a dollar, rounded once on the line).
 */
class InvoiceIT extends ServerTest {

    private static final String INVOICE_FIELDS = "id number status periodStart periodEnd startsAt endsAt pdfUrl taxName taxPercent taxExempt"
            + " billTo { companyName region country billingEmail }"
            + " lines { kind description usagePeriod quantity unit unitPrice { amount } amount { amount currencyCode } }"
            + " featureCharges { feature share amount { amount currencyCode } }"
            + " subtotal { amount currencyCode } tax { amount } total { amount } amountPaid { amount } amountCredited { amount } amountDue { amount }"
            + " payments { amount { amount } method reference } creditNotes { number kind amount { amount } reason }";
    private static final String CLOSE = "mutation($input: InvoicePeriodCloseInput!) { invoicePeriodClose(input: $input) { invoice { " + INVOICE_FIELDS
            + " } userErrors { field code message } } }";
    private static final String INVOICE = "query($id: ID!) { invoice(id: $id) { " + INVOICE_FIELDS + " } }";
    private static final String TAX_RATE_SET = "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { taxRate { country region percent }"
            + " userErrors { field code } } }";
    private static final String PAYMENT = "mutation($input: InvoicePaymentRecordInput!) { invoicePaymentRecord(input: $input) { invoice { status amountDue { amount }"
            + " payments { amount { amount } } } userErrors { field code } } }";
    private static final String CREDIT_NOTE = "mutation($input: CreditNoteCreateInput!) { creditNoteCreate(input: $input) { creditNote { number kind amount { amount } }"
            + " invoice { status amountDue { amount } amountCredited { amount } } userErrors { field code } } }";
    private static final String CREDIT_NOTE_SETTLED = "mutation($input: CreditNoteCreateInput!) { creditNoteCreate(input: $input) { creditNote { number kind"
            + " settlement stripeCreditNoteId amount { amount } } invoice { status amountPaid { amount } payments { amount { amount } method reference } }"
            + " userErrors { field code } } }";
    private static final String VOID = "mutation($input: InvoiceVoidInput!) { invoiceVoid(input: $input) { invoice { id number status total { amount }"
            + " lines { amount { amount } } } userErrors { field code } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    MutableClock clock;

    @Inject
    UsageRoller roller;

    @Inject
    InvoiceService invoices;

    @Inject
    InvoiceStore store;

    @Inject
    InvoiceLines lines;

    @Inject
    MonthClose monthClose;

    private static final Instant START = Instant.parse("2025-10-20T12:00:00Z");

    MailServer mail;
    Rows rows;
    String admin;

    @Override
    public Map<String, String> getProperties() {
        mail = MailServer.start();
        Map<String, String> properties = new HashMap<>(mail.withProperties(super.getProperties()));
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.analytics.mark-ttl", "0s");
        properties.put("meterline.invoices.scheduled-close", "false");
        // Webhook events are checked in the outbox; the endpoint's host is allowed without a lookup, nothing is sent.
        properties.put("meterline.webhooks.allowed-hosts", "hooks.inv-acme.test");
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        admin = api.adminToken();
        clock.set(START);
        TestApi.Response rate = api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "ON", "name", "HST", "percent", "13",
                "effectiveFrom", "2020-01-01")));
        assertThat(rate.at("data.taxRateSet.userErrors")).as(rate.body()).isEqualTo(List.of());
    }

    @AfterAll
    void stopMail() {
        mail.close();
    }

    private Fixtures.Tenant tenant(String slug, String zone) {
        return tenant(slug, zone, "USD");
    }

    private Fixtures.Tenant tenant(String slug, String zone, String billingCurrency) {
        Fixtures.Tenant tenant = Fixtures.tenant(api, slug, zone, billingCurrency);
        TestApi.Response details = api.graphql(tenant.adminToken(), "mutation($input: CompanyDetailsUpdateInput!) { companyDetailsUpdate(input: $input) {"
                + " userErrors { field code } } }", Map.of("input", Map.of("companyName", "Company " + slug, "billingEmail", "billing@" + slug + ".test",
                "addressLine1", "1 King St W", "city", "Toronto", "region", "ON", "postalCode", "M5H 1A1", "country", "CA")));
        assertThat(details.at("data.companyDetailsUpdate.userErrors")).as(details.body()).isEqualTo(List.of());
        return tenant;
    }

    private void send(Fixtures.Tenant tenant, String id, String timestamp, int inputTokens) {
        send(tenant, id, timestamp, inputTokens, Map.of());
    }

    private void send(Fixtures.Tenant tenant, String id, String timestamp, int inputTokens, Map<String, String> dimensions) {
        Map<String, Object> event = Map.of("id", id, "timestamp", timestamp, "provider", "openai", "model", "gpt-4", "meters", Map.of("input_tokens", inputTokens),
                "dimensions", dimensions);
        TestApi.Response response = api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(event))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        roller.rollAll();
    }

    private TestApi.Response close(String token, String organizationId, String month) {
        return api.graphql(token, CLOSE, Map.of("input", Map.of("organizationId", organizationId, "month", month)));
    }

    private Map<String, Object> closed(Fixtures.Tenant tenant, String month) {
        TestApi.Response response = close(admin, tenant.organizationId(), month);
        assertThat(response.at("data.invoicePeriodClose.userErrors")).as(response.body()).isEqualTo(List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> invoice = (Map<String, Object>) response.at("data.invoicePeriodClose.invoice");
        return invoice;
    }

    private long organizationRowId(Fixtures.Tenant tenant) {
        return ((Number) rows.value("SELECT id FROM organization WHERE slug = ?", tenant.slug())).longValue();
    }

    private byte[] pdf(String token, String path, int expectedStatus) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.getURI() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(expectedStatus);
        if (expectedStatus == 200) {
            assertThat(response.headers().firstValue("Content-Disposition").orElse("")).matches("attachment; filename=\"meterline-invoice-INV-\\d{4}-\\d{6}-\\d{8}-\\d{6}\\.pdf\"");
        }
        return response.body();
    }

    /** The emails to an address, waiting for the first one (invoices are emailed after the commit, on another thread). */
    private List<MimeMessage> mailTo(String address) {
        for (int more = 0; more < 5; more++) {
            List<MimeMessage> sent = mail.to(address, mail.all().size() + more);
            if (!sent.isEmpty()) {
                return sent;
            }
        }
        throw new AssertionError("no email to " + address);
    }

    private static String text(byte[] pdf) throws Exception {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    @Test
    void closeFinalizesWithNumberBillToLinesTaxAndPdfThatMatchesTheApi() throws Exception {
        clock.set(START);
        Fixtures.Tenant acme = tenant("inv-acme", "America/Toronto");
        Fixtures.Tenant other = tenant("inv-other", "America/Toronto");
        TestApi.Response endpoint = api.graphql(acme.adminToken(), "mutation { webhookEndpointCreate(input: {url: \"https://hooks.inv-acme.test/in\","
                + " eventTypes: [\"invoice.finalized\", \"invoice.paid\"]}) { webhookEndpoint { id } userErrors { code } } }");
        assertThat(endpoint.at("data.webhookEndpointCreate.userErrors")).as(endpoint.body()).isEqualTo(List.of());
        clock.set(Instant.parse("2025-12-01T06:00:00Z"));
        send(acme, "a1", "2025-11-03T15:00:00Z", 100_000);
        send(acme, "a2", "2025-11-20T15:00:00Z", 11_111);

        Map<String, Object> invoice = closed(acme, "2025-11");
        assertThat(invoice.get("status")).isEqualTo("OPEN");
        assertThat((String) invoice.get("number")).matches("INV-2025-\\d{6}");
        assertThat(invoice.get("periodStart")).isEqualTo("2025-11-01");
        assertThat(invoice.get("periodEnd")).isEqualTo("2025-11-30");
        assertThat(TestApi.at(invoice, "billTo.companyName")).isEqualTo("Company inv-acme");
        assertThat(TestApi.at(invoice, "lines.0.kind")).isEqualTo("USAGE");
        assertThat(TestApi.at(invoice, "lines.0.description")).isEqualTo("openai/gpt-4");
        assertThat(TestApi.at(invoice, "lines.0.quantity")).isEqualTo("111111");
        assertThat(TestApi.at(invoice, "lines.0.unit")).isEqualTo("1M tokens");
        // 3.00 + 0.33333 = 3.33333 USD, rounded once: 3.33; HST 13 % of 3.33 = 0.4329 → 0.43; total 3.76 exactly.
        assertThat(TestApi.at(invoice, "lines.0.amount.amount")).isEqualTo("3.33");
        assertThat(TestApi.at(invoice, "subtotal.amount")).isEqualTo("3.33");
        assertThat(invoice.get("taxName")).isEqualTo("HST");
        assertThat(invoice.get("taxPercent")).isEqualTo("13");
        assertThat(TestApi.at(invoice, "tax.amount")).isEqualTo("0.43");
        assertThat(TestApi.at(invoice, "total.amount")).isEqualTo("3.76");
        assertThat(TestApi.at(invoice, "amountDue.amount")).isEqualTo("3.76");

        // invoice.finalized went to the organization's webhook endpoint, in the finalizing transaction.
        assertThat(rows.value("SELECT event_type FROM webhook_delivery WHERE organization_id = ?", organizationRowId(acme))).isEqualTo("invoice.finalized");
        assertThat((String) rows.value("SELECT payload FROM webhook_delivery WHERE organization_id = ?", organizationRowId(acme)))
                .contains("\"number\":\"" + invoice.get("number") + "\"", "\"total\":{\"amount\":\"3.76\"");

        // The PDF shows the API's numbers.
        String text = text(pdf(acme.memberToken(), (String) invoice.get("pdfUrl"), 200));
        assertThat(text).contains("INVOICE " + invoice.get("number"), "Company inv-acme", "openai/gpt-4", "111111",
                "Subtotal 3.33", "Tax HST 13 % 0.43", "Total USD 3.76", "Amount due USD 3.76");

        // Emailed to the billing email with the PDF attached.
        List<MimeMessage> sent = mailTo("billing@inv-acme.test");
        Multipart parts = (Multipart) sent.get(sent.size() - 1).getContent();
        List<String> attachments = new ArrayList<>();
        for (int i = 0; i < parts.getCount(); i++) {
            if (Part.ATTACHMENT.equalsIgnoreCase(parts.getBodyPart(i).getDisposition())) {
                attachments.add(parts.getBodyPart(i).getFileName());
                assertThat(text(parts.getBodyPart(i).getInputStream().readAllBytes())).contains("Total USD 3.76");
            }
        }
        assertThat(attachments).containsExactly(invoice.get("number") + ".pdf");

        // Tenants never see each other's invoices: not by id, not in lists, not as PDF, not by node.
        String id = (String) invoice.get("id");
        TestApi.Response foreign = api.graphql(other.adminToken(), INVOICE, Map.of("id", id));
        assertThat(foreign.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(api.graphql(other.adminToken(), "query($id: ID!) { node(id: $id) { id } }", Map.of("id", id)).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(api.graphql(other.adminToken(), "{ invoices { totalCount nodes { id } } }").at("data.invoices.totalCount")).isEqualTo(0);
        assertThat(api.graphql(other.adminToken(), "query($org: ID) { invoices(organizationId: $org) { totalCount } }", Map.of("org", acme.organizationId()))
                .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        pdf(other.adminToken(), (String) invoice.get("pdfUrl"), 404);
        // Nor through a mutation or the review list naming them: NOT_FOUND before any other check, nothing written.
        assertThat(api.graphql(other.adminToken(), VOID, Map.of("input", Map.of("invoiceId", id))).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(api.graphql(other.adminToken(), CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "1.00", "reason", "x")))
                .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(api.graphql(other.adminToken(), PAYMENT, Map.of("input", Map.of("invoiceId", id, "amount", "1.00")))
                .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(api.graphql(other.adminToken(), "query($org: ID) { lateUsageForReview(organizationId: $org) { model } }", Map.of("org", acme.organizationId()))
                .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(api.graphql(other.adminToken(), "mutation($input: TaxExemptionSetInput!) { taxExemptionSet(input: $input) { exempt } }",
                Map.of("input", Map.of("organizationId", acme.organizationId(), "exempt", true, "reason", "x"))).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", io.meterline.platform.common.GlobalId.require(id, "Invoice"))).isEqualTo("OPEN");
        assertThat(rows.count("SELECT COUNT(*) FROM tax_exemption WHERE organization_id = ?", organizationRowId(acme))).isEqualTo(0);
        assertThat(api.graphql(acme.memberToken(), "{ invoices { totalCount nodes { number } } }").at("data.invoices.nodes.0.number")).isEqualTo(invoice.get("number"));
        assertThat(api.graphql(acme.memberToken(), "query($id: ID!) { node(id: $id) { ... on Invoice { number } } }", Map.of("id", id)).at("data.node.number"))
                .isEqualTo(invoice.get("number"));
    }

    @Test
    void draftDuringGraceFinalizedAfterItAndClosingTwiceChangesNothing() {
        clock.set(START);
        Fixtures.Tenant tenant = tenant("inv-twice", "America/Toronto");
        // January ends at 2026-02-01T05:00Z in Toronto; the grace runs to 06:00Z.
        clock.set(Instant.parse("2026-02-01T05:30:00Z"));
        send(tenant, "t1", "2026-01-10T15:00:00Z", 100_000);
        Map<String, Object> draft = closed(tenant, "2026-01");
        assertThat(draft.get("status")).isEqualTo("DRAFT");
        assertThat(draft.get("number")).isNull();
        // A draft shows the lines and totals it would bill if finalized now, stored nowhere.
        assertThat(TestApi.at(draft, "lines.0.kind")).isEqualTo("USAGE");
        assertThat(TestApi.at(draft, "lines.0.amount.amount")).isEqualTo("3.00");
        assertThat(TestApi.at(draft, "subtotal.amount")).isEqualTo("3.00");
        assertThat(TestApi.at(draft, "tax.amount")).isEqualTo("0.39");
        assertThat(TestApi.at(draft, "total.amount")).isEqualTo("3.39");
        assertThat(TestApi.at(draft, "amountDue.amount")).isEqualTo("0.00");
        long draftRow = io.meterline.platform.common.GlobalId.require((String) draft.get("id"), "Invoice");
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_line WHERE invoice_id = ?", draftRow)).isEqualTo(0);
        assertThat((java.math.BigDecimal) rows.value("SELECT subtotal FROM invoice WHERE id = ?", draftRow)).isEqualByComparingTo("0");
        // Usage arriving in the grace still counts.
        send(tenant, "t2", "2026-01-31T20:00:00Z", 100_000);
        Map<String, Object> later = closed(tenant, "2026-01");
        assertThat(later.get("id")).isEqualTo(draft.get("id"));
        assertThat(later.get("status")).isEqualTo("DRAFT");
        assertThat(TestApi.at(later, "subtotal.amount")).isEqualTo("6.00");
        assertThat(api.graphql(tenant.memberToken(), "{ invoices { nodes { status lines { amount { amount } } total { amount } } } }").at("data.invoices.nodes.0.total.amount"))
                .isEqualTo("6.78");

        clock.set(Instant.parse("2026-02-01T06:00:00Z"));
        Map<String, Object> finalized = closed(tenant, "2026-01");
        assertThat(finalized.get("id")).isEqualTo(draft.get("id"));
        assertThat(finalized.get("status")).isEqualTo("OPEN");
        assertThat(TestApi.at(finalized, "subtotal.amount")).isEqualTo("6.00");
        Map<String, Object> again = closed(tenant, "2026-01");
        assertThat(again).isEqualTo(finalized);
        assertThat(monthClose.run().claimed()).isGreaterThanOrEqualTo(0);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice WHERE organization_id = ? AND period_start = '2026-01-01'", organizationRowId(tenant))).isEqualTo(1);
    }

    @Test
    void twoClosersAtOnceMakeOneInvoiceWithOneNumber() throws Exception {
        clock.set(START);
        Fixtures.Tenant tenant = tenant("inv-race", "Europe/Berlin");
        clock.set(Instant.parse("2026-03-01T12:00:00Z"));
        send(tenant, "r1", "2026-02-10T10:00:00Z", 100_000);
        long sequenceBefore = rows.count("SELECT COALESCE(MAX(last_number), 0) FROM invoice_sequence WHERE series = 'INV-2026'");
        InvoiceStore.OrganizationRow organization = store.organization(organizationRowId(tenant)).orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Long>> closers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                closers.add(() -> invoices.close(organization, YearMonth.of(2026, 2), clock.instant()).id());
            }
            List<Long> ids = new ArrayList<>();
            for (Future<Long> result : threads.invokeAll(closers)) {
                ids.add(result.get());
            }
            assertThat(ids).containsOnly(ids.get(0));
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(rows.count("SELECT COUNT(*) FROM invoice WHERE organization_id = ?", organizationRowId(tenant))).isEqualTo(1);
        assertThat(rows.value("SELECT status FROM invoice WHERE organization_id = ?", organizationRowId(tenant))).isEqualTo("OPEN");
        // Exactly one number was taken: the series moved by one (other tests' invoices are finalized one at a time).
        assertThat(rows.count("SELECT last_number FROM invoice_sequence WHERE series = 'INV-2026'")).isEqualTo(sequenceBefore + 1);
    }

    @Test
    void aCloseKilledAfterItsDraftAndLinesIsFinishedByTheNextRunNeverDuplicated() {
        clock.set(START);
        Fixtures.Tenant tenant = tenant("inv-killed", "America/Toronto");
        clock.set(Instant.parse("2026-04-01T12:00:00Z"));
        send(tenant, "k1", "2026-03-10T15:00:00Z", 100_000);
        InvoiceStore.OrganizationRow organization = store.organization(organizationRowId(tenant)).orElseThrow();
        // The closer claims the period and computes the lines, then dies (kill -9) before the numbering transaction.
        assertThat(invoices.claim(organization, YearMonth.of(2026, 3), clock.instant())).isTrue();
        long draftId = store.findByPeriod(organization.id(), java.time.LocalDate.of(2026, 3, 1), 0).orElseThrow().id();
        store.write(connection -> {
            Invoice draft = store.find(connection, draftId, true).orElseThrow();
            InvoiceLines.Computed computed = lines.compute(connection, draft, clock.instant(), true);
            store.replaceLines(connection, draftId, computed.lines(), computed.subtotal());
            return null;
        });
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", draftId)).isEqualTo("DRAFT");
        // Another instance's next run resumes it: no second invoice, one number, the lines computed once.
        assertThat(invoices.claim(organization, YearMonth.of(2026, 3), clock.instant())).isFalse();
        monthClose.run();
        assertThat(rows.count("SELECT COUNT(*) FROM invoice WHERE organization_id = ?", organization.id())).isEqualTo(1);
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", draftId)).isEqualTo("OPEN");
        assertThat((String) rows.value("SELECT number FROM invoice WHERE id = ?", draftId)).matches("INV-2026-\\d{6}");
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_line WHERE invoice_id = ? AND kind = 'USAGE'", draftId)).isEqualTo(1);
    }

    @Test
    void kathmanduMonthBoundaryAndAMonthEndingOnADstChange() {
        // Asia/Kathmandu is UTC+05:45: February starts at 2026-01-31T18:15Z.
        clock.set(START);
        Fixtures.Tenant kathmandu = tenant("inv-ktm", "Asia/Kathmandu");
        clock.set(Instant.parse("2026-03-02T00:00:00Z"));
        send(kathmandu, "n1", "2026-01-31T18:14:59Z", 100_000);
        send(kathmandu, "n2", "2026-01-31T18:15:00Z", 200_000);
        Map<String, Object> january = closed(kathmandu, "2026-01");
        assertThat(january.get("startsAt")).isEqualTo("2025-12-31T18:15:00Z");
        assertThat(january.get("endsAt")).isEqualTo("2026-01-31T18:15:00Z");
        assertThat(TestApi.at(january, "subtotal.amount")).isEqualTo("3.00");
        assertThat(TestApi.at(closed(kathmandu, "2026-02"), "subtotal.amount")).isEqualTo("6.00");

        // Toronto leaves daylight time at 02:00 on 1 November 2026: October ends at 04:00Z, the 25-hour day after it is November's.
        Fixtures.Tenant toronto = tenant("inv-dst", "America/Toronto");
        clock.set(Instant.parse("2026-12-01T06:00:00Z"));
        send(toronto, "d1", "2026-11-01T03:59:59Z", 100_000);
        send(toronto, "d2", "2026-11-01T04:00:00Z", 200_000);
        send(toronto, "d3", "2026-11-02T04:59:59Z", 300_000);
        Map<String, Object> october = closed(toronto, "2026-10");
        assertThat(october.get("endsAt")).isEqualTo("2026-11-01T04:00:00Z");
        assertThat(TestApi.at(october, "subtotal.amount")).isEqualTo("3.00");
        Map<String, Object> november = closed(toronto, "2026-11");
        assertThat(november.get("startsAt")).isEqualTo("2026-11-01T04:00:00Z");
        assertThat(TestApi.at(november, "subtotal.amount")).isEqualTo("15.00");
    }

    @Test
    void lateUsageIsAnAdjustmentNamingItsPeriodWithinTheHorizonAndListedForReviewBeyondIt() {
        clock.set(START);
        Fixtures.Tenant tenant = tenant("inv-late", "UTC");
        clock.set(Instant.parse("2025-11-01T02:00:00Z"));
        closed(tenant, "2025-10");
        clock.set(Instant.parse("2025-12-01T02:00:00Z"));
        closed(tenant, "2025-11");
        clock.set(Instant.parse("2026-01-01T02:00:00Z"));
        closed(tenant, "2025-12");
        clock.set(Instant.parse("2026-01-20T00:00:00Z"));
        // December's and November's usage arrive after they were closed: one and two periods back at January's close.
        send(tenant, "l1", "2025-12-15T12:00:00Z", 100_000);
        send(tenant, "l2", "2025-11-15T12:00:00Z", 11_111);
        send(tenant, "l3", "2026-01-15T12:00:00Z", 200_000);
        clock.set(Instant.parse("2026-02-01T02:00:00Z"));
        Map<String, Object> january = closed(tenant, "2026-01");
        assertThat(TestApi.at(january, "lines.0.kind")).isEqualTo("USAGE");
        assertThat(TestApi.at(january, "lines.0.amount.amount")).isEqualTo("6.00");
        assertThat(TestApi.at(january, "lines.1.kind")).isEqualTo("ADJUSTMENT");
        assertThat(TestApi.at(january, "lines.1.description")).isEqualTo("Late usage of 2025-12: openai/gpt-4");
        assertThat(TestApi.at(january, "lines.1.usagePeriod")).isEqualTo("2025-12-01");
        assertThat(TestApi.at(january, "lines.1.amount.amount")).isEqualTo("3.00");
        // November is two periods back, within the horizon: adjusted too (0.33333 → 0.33).
        assertThat(TestApi.at(january, "lines.2.description")).isEqualTo("Late usage of 2025-11: openai/gpt-4");
        assertThat(TestApi.at(january, "lines.2.amount.amount")).isEqualTo("0.33");
        assertThat(TestApi.at(january, "subtotal.amount")).isEqualTo("9.33");

        // Late usage for October is four periods back at February's close, beyond the horizon: listed for review, not billed.
        clock.set(Instant.parse("2026-02-10T00:00:00Z"));
        send(tenant, "l4", "2025-10-16T12:00:00Z", 100_000);
        clock.set(Instant.parse("2026-03-01T02:00:00Z"));
        Map<String, Object> february = closed(tenant, "2026-02");
        assertThat((List<?>) february.get("lines")).isEmpty();
        assertThat(TestApi.at(february, "status")).isEqualTo("PAID");
        TestApi.Response review = api.graphql(tenant.adminToken(), "{ lateUsageForReview { usagePeriod model amount { amount currencyCode } } }");
        assertThat(review.at("data.lateUsageForReview")).as(review.body())
                .isEqualTo(List.of(Map.of("usagePeriod", "2025-10-01", "model", "openai/gpt-4", "amount", Map.of("amount", "3.00", "currencyCode", "USD"))));
    }

    @Test
    void paymentsCreditNotesAndVoidAndReissue() throws Exception {
        clock.set(START);
        Fixtures.Tenant tenant = tenant("inv-pay", "America/Toronto");
        clock.set(Instant.parse("2026-05-01T06:00:00Z"));
        send(tenant, "p1", "2026-04-10T15:00:00Z", 1_000_000);
        Map<String, Object> april = closed(tenant, "2026-04");
        String id = (String) april.get("id");
        // 30.00 + 13 % = 33.90.
        assertThat(TestApi.at(april, "total.amount")).isEqualTo("33.90");

        // A credit note reduces what is owed; more than that is refused and nothing is stored.
        TestApi.Response tooMuch = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "33.91", "reason", "Goodwill")));
        assertThat(tooMuch.codes("data.creditNoteCreate.userErrors")).containsExactly("EXCEEDS_AMOUNT");
        assertThat(rows.count("SELECT COUNT(*) FROM credit_note")).isEqualTo(0);
        TestApi.Response credited = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "3.90", "reason", "Goodwill")));
        assertThat(credited.at("data.creditNoteCreate.creditNote.number").toString()).matches("CN-2026-\\d{6}");
        assertThat(credited.at("data.creditNoteCreate.invoice.amountDue.amount")).isEqualTo("30.00");

        // Payments by hand: more than owed refused, nothing stored; the rest settles it.
        TestApi.Response over = api.graphql(admin, PAYMENT, Map.of("input", Map.of("invoiceId", id, "amount", "30.01", "reference", "wire-1")));
        assertThat(over.codes("data.invoicePaymentRecord.userErrors")).containsExactly("EXCEEDS_AMOUNT");
        TestApi.Response fractional = api.graphql(admin, PAYMENT, Map.of("input", Map.of("invoiceId", id, "amount", "1.001", "reference", "wire-1")));
        assertThat(fractional.codes("data.invoicePaymentRecord.userErrors")).containsExactly("OUT_OF_RANGE");
        TestApi.Response byMember = api.graphql(tenant.adminToken(), PAYMENT, Map.of("input", Map.of("invoiceId", id, "amount", "30.00", "reference", "wire-1")));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_payment")).isEqualTo(0);
        TestApi.Response paid = api.graphql(admin, PAYMENT, Map.of("input", Map.of("invoiceId", id, "amount", "30.00", "reference", "wire-1")));
        assertThat(paid.at("data.invoicePaymentRecord.invoice.status")).as(paid.body()).isEqualTo("PAID");
        assertThat(paid.at("data.invoicePaymentRecord.invoice.amountDue.amount")).isEqualTo("0.00");

        // A paid invoice is never voided; a credit note credits at most what was not credited yet.
        TestApi.Response voidPaid = api.graphql(admin, VOID, Map.of("input", Map.of("invoiceId", id)));
        assertThat(voidPaid.codes("data.invoiceVoid.userErrors")).containsExactly("INVOICE_PAID");
        assertThat(rows.value("SELECT status FROM invoice WHERE number = ?", april.get("number"))).isEqualTo("PAID");
        // A paid invoice's credit note says how it settles; a settlement that does not fit, or more than was paid, stores nothing.
        TestApi.Response unsettled = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "1.00", "reason", "Refund")));
        assertThat(unsettled.at("data.creditNoteCreate.userErrors")).isEqualTo(List.of(Map.of("field", List.of("input", "settlement"), "code", "BLANK")));
        TestApi.Response reducePaid = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "1.00", "reason", "Refund",
                "settlement", "REDUCE_AMOUNT_DUE")));
        assertThat(reducePaid.at("data.creditNoteCreate.userErrors")).isEqualTo(List.of(Map.of("field", List.of("input", "settlement"), "code", "INVALID_STATE")));
        TestApi.Response creditPaid = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "30.01", "reason", "Refund",
                "settlement", "REFUND")));
        assertThat(creditPaid.codes("data.creditNoteCreate.userErrors")).containsExactly("EXCEEDS_AMOUNT");
        assertThat(rows.count("SELECT COUNT(*) FROM credit_note")).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_payment")).isEqualTo(1);

        // Refunded by hand (paid by hand): a negative payment in the history, naming the credit note.
        TestApi.Response refunded = api.graphql(admin, CREDIT_NOTE_SETTLED, Map.of("input", Map.of("invoiceId", id, "amount", "10.00", "reason", "Refund",
                "settlement", "REFUND")));
        assertThat(refunded.at("data.creditNoteCreate.creditNote.kind")).as(refunded.body()).isEqualTo("CREDIT_PAID");
        assertThat(refunded.at("data.creditNoteCreate.creditNote.settlement")).isEqualTo("REFUND");
        assertThat(refunded.at("data.creditNoteCreate.creditNote.stripeCreditNoteId")).isNull();
        String refundNote = (String) refunded.at("data.creditNoteCreate.creditNote.number");
        assertThat(refunded.at("data.creditNoteCreate.invoice.amountPaid.amount")).isEqualTo("20.00");
        assertThat(refunded.at("data.creditNoteCreate.invoice.payments")).isEqualTo(List.of(
                Map.of("amount", Map.of("amount", "30.00"), "method", "MANUAL", "reference", "wire-1"),
                Map.of("amount", Map.of("amount", "-10.00"), "method", "REFUND", "reference", refundNote)));

        // Credited to the account: a CREDIT_NOTE entry in the ledger's CREDITS, in the same transaction; then nothing is left to credit.
        String balance = "query($org: ID) { balance(organizationId: $org) { current { amount currencyCode } } }";
        BigDecimal before = new BigDecimal((String) api.graphql(admin, balance, Map.of("org", tenant.organizationId())).at("data.balance.current.amount"));
        TestApi.Response accountCredit = api.graphql(admin, CREDIT_NOTE_SETTLED, Map.of("input", Map.of("invoiceId", id, "amount", "20.00", "reason", "Goodwill credit",
                "settlement", "ACCOUNT_CREDIT")));
        assertThat(accountCredit.at("data.creditNoteCreate.creditNote.settlement")).as(accountCredit.body()).isEqualTo("ACCOUNT_CREDIT");
        String creditNote = (String) accountCredit.at("data.creditNoteCreate.creditNote.number");
        TestApi.Response after = api.graphql(admin, balance, Map.of("org", tenant.organizationId()));
        assertThat(new BigDecimal((String) after.at("data.balance.current.amount")).subtract(before)).isEqualByComparingTo("20.00");
        assertThat(after.at("data.balance.current.currencyCode")).isEqualTo("USD");
        assertThat(rows.value("SELECT description FROM ledger_entry WHERE kind = 'CREDIT_NOTE' AND account_kind = 'CREDITS' AND currency = 'USD'"))
                .isEqualTo("Credit note " + creditNote + " of invoice " + april.get("number"));
        TestApi.Response nothingLeft = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", id, "amount", "0.01", "reason", "Again",
                "settlement", "ACCOUNT_CREDIT")));
        assertThat(nothingLeft.codes("data.creditNoteCreate.userErrors")).containsExactly("EXCEEDS_AMOUNT");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE kind = 'CREDIT_NOTE'")).isEqualTo(1);

        // The PDF lists payments, refunds and credit notes with how each settled.
        String text = text(pdf(tenant.memberToken(), (String) april.get("pdfUrl"), 200));
        assertThat(text).contains("PAYMENTS", "wire-1", "REFUND", "-10.00", "CREDIT NOTES", "Amount due reduced  Goodwill", "Refunded  Refund",
                "Credited to account  Goodwill credit", "Amount due USD 0.00");

        // Void and reissue an open invoice: the same lines under a new number.
        clock.set(Instant.parse("2026-06-01T06:00:00Z"));
        send(tenant, "p2", "2026-05-10T15:00:00Z", 1_000_000);
        Map<String, Object> may = closed(tenant, "2026-05");
        // May's 30.00 of usage draws the 20.00 credited to the account first: it nets it and bills the 10.00 overdraft (+ 13 %).
        assertThat(TestApi.at(may, "subtotal.amount")).as(may.toString()).isEqualTo("10.00");
        assertThat(TestApi.at(may, "total.amount")).isEqualTo("11.30");
        TestApi.Response reissued = api.graphql(admin, VOID, Map.of("input", Map.of("invoiceId", may.get("id"))));
        assertThat(reissued.at("data.invoiceVoid.userErrors")).as(reissued.body()).isEqualTo(List.of());
        assertThat(reissued.at("data.invoiceVoid.invoice.status")).isEqualTo("OPEN");
        assertThat(reissued.at("data.invoiceVoid.invoice.number")).isNotEqualTo(may.get("number"));
        assertThat(reissued.at("data.invoiceVoid.invoice.total.amount")).isEqualTo(TestApi.at(may, "total.amount"));
        assertThat(api.graphql(admin, INVOICE, Map.of("id", may.get("id"))).at("data.invoice.status")).isEqualTo("VOID");
        assertThat(api.graphql(admin, VOID, Map.of("input", Map.of("invoiceId", may.get("id")))).codes("data.invoiceVoid.userErrors"))
                .containsExactly("INVALID_STATE");
        // An open invoice is not refunded nor credited to the account: what it owes is reduced.
        long notes = rows.count("SELECT COUNT(*) FROM credit_note");
        for (String settlement : List.of("REFUND", "ACCOUNT_CREDIT")) {
            TestApi.Response wrong = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", reissued.at("data.invoiceVoid.invoice.id"), "amount", "1.00",
                    "reason", "Refund", "settlement", settlement)));
            assertThat(wrong.at("data.creditNoteCreate.userErrors")).isEqualTo(List.of(Map.of("field", List.of("input", "settlement"), "code", "INVALID_STATE")));
        }
        assertThat(rows.count("SELECT COUNT(*) FROM credit_note")).isEqualTo(notes);
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE kind = 'CREDIT_NOTE'")).isEqualTo(1);

        // Given up on: an open invoice only, once; an uncollectible one can still be voided and reissued.
        String reissuedId = (String) reissued.at("data.invoiceVoid.invoice.id");
        String uncollectible = "mutation($input: InvoiceMarkUncollectibleInput!) { invoiceMarkUncollectible(input: $input) { invoice { status } userErrors { code } } }";
        assertThat(api.graphql(tenant.adminToken(), uncollectible, Map.of("input", Map.of("invoiceId", reissuedId))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(admin, uncollectible, Map.of("input", Map.of("invoiceId", reissuedId))).at("data.invoiceMarkUncollectible.invoice.status"))
                .isEqualTo("UNCOLLECTIBLE");
        assertThat(api.graphql(admin, uncollectible, Map.of("input", Map.of("invoiceId", reissuedId))).codes("data.invoiceMarkUncollectible.userErrors"))
                .containsExactly("INVALID_STATE");
        assertThat(api.graphql(admin, uncollectible, Map.of("input", Map.of("invoiceId", id))).codes("data.invoiceMarkUncollectible.userErrors"))
                .containsExactly("INVALID_STATE");
        assertThat(api.graphql(admin, VOID, Map.of("input", Map.of("invoiceId", reissuedId))).at("data.invoiceVoid.invoice.status")).isEqualTo("OPEN");
    }

    @Test
    void badInputIsRefusedWithATypedErrorAndNothingStored() {
        clock.set(Instant.parse("2026-06-15T00:00:00Z"));
        Fixtures.Tenant tenant = tenant("inv-bad", "America/Toronto");
        Fixtures.Tenant other = tenant("inv-bad-other", "America/Toronto");
        long invoicesBefore = rows.count("SELECT COUNT(*) FROM invoice");
        // A month that has not ended (the running one, a future one), a malformed one.
        assertThat(close(admin, tenant.organizationId(), "2026-06").codes("data.invoicePeriodClose.userErrors")).containsExactly("PERIOD_NOT_ENDED");
        assertThat(close(admin, tenant.organizationId(), "2027-01").codes("data.invoicePeriodClose.userErrors")).containsExactly("PERIOD_NOT_ENDED");
        assertThat(close(admin, tenant.organizationId(), "June").codes("data.invoicePeriodClose.userErrors")).containsExactly("INVALID");
        // Another organization: NOT_FOUND; an organization admin closing its own: FORBIDDEN.
        assertThat(close(tenant.adminToken(), other.organizationId(), "2026-05").at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(close(tenant.adminToken(), tenant.organizationId(), "2026-05").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM invoice")).isEqualTo(invoicesBefore);

        // Tax rates outside 0-100 %, overlapping one region's, or of no country.
        long ratesBefore = rows.count("SELECT COUNT(*) FROM tax_rate");
        assertThat(api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "QC", "name", "QST", "percent", "100.5",
                "effectiveFrom", "2026-01-01"))).codes("data.taxRateSet.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "QC", "name", "QST", "percent", "-1",
                "effectiveFrom", "2026-01-01"))).codes("data.taxRateSet.userErrors")).containsExactly("OUT_OF_RANGE");
        assertThat(api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "ON", "name", "HST", "percent", "15",
                "effectiveFrom", "2026-07-01"))).codes("data.taxRateSet.userErrors")).containsExactly("TAX_RATE_OVERLAP");
        assertThat(api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "ZZ", "name", "VAT", "percent", "20",
                "effectiveFrom", "2026-01-01"))).codes("data.taxRateSet.userErrors")).containsExactly("INVALID");
        assertThat(api.graphql(tenant.adminToken(), TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "QC", "name", "QST", "percent", "9.975",
                "effectiveFrom", "2026-01-01"))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM tax_rate")).isEqualTo(ratesBefore);
        // A rate that ends before the other starts does not overlap.
        assertThat(api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "QC", "name", "QST", "percent", "9.975",
                "effectiveFrom", "2026-01-01", "effectiveTo", "2027-01-01"))).at("data.taxRateSet.taxRate.percent")).isEqualTo("9.975");
        assertThat(api.graphql(admin, TAX_RATE_SET, Map.of("input", Map.of("country", "CA", "region", "QC", "name", "QST", "percent", "10",
                "effectiveFrom", "2027-01-01"))).at("data.taxRateSet.userErrors")).isEqualTo(List.of());
        assertThat(api.graphql(admin, "{ taxRates(country: \"CA\") { region percent } }").at("data.taxRates.0.region")).isEqualTo("ON");
    }

    @Test
    void taxExemptOrganizationsPayNoTaxAndAnEmptyPeriodStillGetsItsInvoice() {
        clock.set(Instant.parse("2026-06-15T00:00:00Z"));
        Fixtures.Tenant tenant = tenant("inv-exempt", "America/Toronto");
        TestApi.Response refused = api.graphql(admin, "mutation($input: TaxExemptionSetInput!) { taxExemptionSet(input: $input) { exempt userErrors { code } } }",
                Map.of("input", Map.of("organizationId", tenant.organizationId(), "exempt", true)));
        assertThat(refused.codes("data.taxExemptionSet.userErrors")).containsExactly("BLANK");
        assertThat(rows.count("SELECT COUNT(*) FROM tax_exemption WHERE organization_id = ?", organizationRowId(tenant))).isEqualTo(0);
        TestApi.Response exempt = api.graphql(admin, "mutation($input: TaxExemptionSetInput!) { taxExemptionSet(input: $input) { exempt userErrors { code } } }",
                Map.of("input", Map.of("organizationId", tenant.organizationId(), "exempt", true, "reason", "Reseller certificate 123")));
        assertThat(exempt.at("data.taxExemptionSet.exempt")).isEqualTo(true);
        clock.set(Instant.parse("2026-08-01T06:00:00Z"));
        send(tenant, "x1", "2026-06-20T15:00:00Z", 100_000);
        Map<String, Object> june = closed(tenant, "2026-06");
        assertThat(june.get("taxExempt")).isEqualTo(true);
        assertThat(TestApi.at(june, "tax.amount")).isEqualTo("0.00");
        assertThat(TestApi.at(june, "total.amount")).isEqualTo("3.00");
        Map<String, Object> july = closed(tenant, "2026-07");
        assertThat((String) july.get("number")).matches("INV-2026-\\d{6}");
        assertThat(TestApi.at(july, "total.amount")).isEqualTo("0.00");
        assertThat(july.get("status")).isEqualTo("PAID");
    }

    private void ledgerEntry(String organizationId, String kind, String account, String amount) {
        TestApi.Response response = api.graphql(admin, "mutation($input: LedgerEntryCreateInput!) { ledgerEntryCreate(input: $input) { userErrors { field code } } }",
                Map.of("input", Map.of("organizationId", organizationId, "kind", kind, "account", account, "amount", amount, "reason", "Invoice test")));
        assertThat(response.at("data.ledgerEntryCreate.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    private java.math.BigDecimal credits(Fixtures.Tenant tenant) {
        return (java.math.BigDecimal) rows.value("SELECT credits FROM ledger_balance WHERE organization_id = ?", organizationRowId(tenant));
    }

    /** The lines of an invoice as kind, quantity and amount, to compare in one go. */
    private static List<String> lineSummary(Map<String, Object> invoice) {
        return summary(invoice, "lines", "kind", "quantity");
    }

    /** The feature charges of an invoice as feature, share and amount. */
    private static List<String> featureSummary(Map<String, Object> invoice) {
        return summary(invoice, "featureCharges", "feature", "share");
    }

    @SuppressWarnings("unchecked")
    private static List<String> summary(Map<String, Object> invoice, String list, String first, String second) {
        return ((List<Map<String, Object>>) invoice.get(list)).stream()
                .map(item -> item.get(first) + " " + item.get(second) + " " + ((Map<String, Object>) item.get("amount")).get("amount")).toList();
    }

    @Test
    void usageInsideThePlanAllowanceOrTopUpTokensIsNettedSoOnlyTheFeeAndTheUncoveredCostAreCharged() throws Exception {
        clock.set(Instant.parse("2026-08-20T12:00:00Z"));
        Fixtures.Tenant tenant = tenant("inv-plan", "UTC");
        TestApi.Response plan = api.graphql(admin, "mutation($input: PlanCreateInput!) { planCreate(input: $input) { plan { id } userErrors { code } } }",
                Map.of("input", Map.of("name", "Invoice Team", "monthlyPrice", "10", "currencyCode", "USD", "monthlyTokens", 200_000, "resetDay", 1)));
        assertThat(plan.at("data.planCreate.userErrors")).as(plan.body()).isEqualTo(List.of());
        TestApi.Response set = api.graphql(admin, "mutation($input: OrganizationPlanSetInput!) { organizationPlanSet(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("organizationId", tenant.organizationId(), "planId", plan.at("data.planCreate.plan.id"))));
        assertThat(set.at("data.organizationPlanSet.userErrors")).as(set.body()).isEqualTo(List.of());

        // September: 150,000 tokens (4.50 USD), all inside the 200,000-token allowance: the fee only.
        clock.set(Instant.parse("2026-09-21T00:00:00Z"));
        send(tenant, "pl1", "2026-09-05T10:00:00Z", 100_000);
        send(tenant, "pl2", "2026-09-20T10:00:00Z", 50_000);
        clock.set(Instant.parse("2026-10-01T02:00:00Z"));
        Map<String, Object> september = closed(tenant, "2026-09");
        assertThat(lineSummary(september)).containsExactly("SUBSCRIPTION 1 10.00", "USAGE 150000 4.50", "ALLOWANCE_APPLIED 150000 -4.50");
        assertThat(TestApi.at(september, "lines.2.description")).isEqualTo("Plan allowance applied");
        assertThat(TestApi.at(september, "subtotal.amount")).isEqualTo("10.00");
        assertThat(TestApi.at(september, "total.amount")).isEqualTo("11.30");
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED'", organizationRowId(tenant))).isEqualTo(0);

        // October: a new allowance of 200,000 plus 30,000 top-up tokens; 250,000 tokens used (7.50 USD): 20,000 tokens (0.60 USD)
        // drawn from credits, overdrawn, charged; the 230,000 covered (6.90) netted, 6.00 plan and 0.90 top-up by their tokens.
        clock.set(Instant.parse("2026-10-04T00:00:00Z"));
        ledgerEntry(tenant.organizationId(), "GRANT", "TOPUP_TOKENS", "30000");
        clock.set(Instant.parse("2026-10-06T00:00:00Z"));
        send(tenant, "pl3", "2026-10-05T10:00:00Z", 250_000);
        clock.set(Instant.parse("2026-11-01T02:00:00Z"));
        Map<String, Object> october = closed(tenant, "2026-10");
        assertThat(lineSummary(october)).containsExactly("SUBSCRIPTION 1 10.00", "USAGE 250000 7.50", "ALLOWANCE_APPLIED 200000 -6.00",
                "ALLOWANCE_APPLIED 30000 -0.90");
        assertThat(TestApi.at(october, "lines.3.description")).isEqualTo("Top-up tokens applied");
        // Fee plus exactly the uncovered cost: 10.00 + 0.60.
        assertThat(TestApi.at(october, "subtotal.amount")).isEqualTo("10.60");
        assertThat(TestApi.at(october, "tax.amount")).isEqualTo("1.38");
        // The overdraft billed is recorded in the ledger: the balance is back to 0.
        assertThat(credits(tenant)).isEqualByComparingTo("0");
        assertThat(rows.value("SELECT description FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED'", organizationRowId(tenant)))
                .isEqualTo("Overdraft billed on invoice " + october.get("number"));

        // The PDF shows the API's numbers, negative lines included.
        String text = text(pdf(tenant.memberToken(), (String) october.get("pdfUrl"), 200));
        assertThat(text).contains("Plan allowance applied", "-6.00", "Top-up tokens applied", "-0.90", "Subtotal 10.60", "Total USD 11.98");
    }

    @Test
    void prepaidCreditsAreNettedAndAPostpaidOverdraftIsBilledOnceAndPostedBackWhenVoided() {
        clock.set(Instant.parse("2026-08-20T12:00:00Z"));
        Fixtures.Tenant tenant = tenant("inv-prepaid", "UTC");
        ledgerEntry(tenant.organizationId(), "PURCHASE", "CREDITS", "10.00");

        // September: 3.00 USD of usage, paid from the 10.00 bought: nothing to pay for usage.
        clock.set(Instant.parse("2026-09-06T00:00:00Z"));
        send(tenant, "pp1", "2026-09-05T10:00:00Z", 100_000);
        clock.set(Instant.parse("2026-10-01T02:00:00Z"));
        Map<String, Object> september = closed(tenant, "2026-09");
        assertThat(lineSummary(september)).containsExactly("USAGE 100000 3.00", "CREDITS_APPLIED 3 -3.00");
        assertThat(TestApi.at(september, "lines.1.description")).isEqualTo("Prepaid credits applied: 3.00 of 3.00 USD drawn by usage");
        assertThat(TestApi.at(september, "total.amount")).isEqualTo("0.00");
        assertThat(september.get("status")).isEqualTo("PAID");
        assertThat(credits(tenant)).isEqualByComparingTo("7.00");

        // October: 9.00 of usage, 7.00 prepaid: the 2.00 overdraft is billed and posted to the ledger (balance back to 0).
        clock.set(Instant.parse("2026-10-06T00:00:00Z"));
        send(tenant, "pp2", "2026-10-05T10:00:00Z", 300_000);
        clock.set(Instant.parse("2026-11-01T02:00:00Z"));
        Map<String, Object> october = closed(tenant, "2026-10");
        assertThat(lineSummary(october)).containsExactly("USAGE 300000 9.00", "CREDITS_APPLIED 9 -7.00");
        assertThat(TestApi.at(october, "subtotal.amount")).isEqualTo("2.00");
        assertThat(credits(tenant)).isEqualByComparingTo("0");

        // November: 3.00 of usage and nothing prepaid: 3.00 billed, October's overdraft not again.
        clock.set(Instant.parse("2026-11-06T00:00:00Z"));
        send(tenant, "pp3", "2026-11-05T10:00:00Z", 100_000);
        clock.set(Instant.parse("2026-12-01T02:00:00Z"));
        Map<String, Object> november = closed(tenant, "2026-11");
        assertThat(lineSummary(november)).containsExactly("USAGE 100000 3.00");
        assertThat(TestApi.at(november, "subtotal.amount")).isEqualTo("3.00");
        assertThat(credits(tenant)).isEqualByComparingTo("0");
        long organization = organizationRowId(tenant);
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED'", organization)).isEqualTo(2);

        // Voiding November posts its overdraft back; the reissue bills it again: one in effect, not two.
        TestApi.Response reissued = api.graphql(admin, VOID, Map.of("input", Map.of("invoiceId", november.get("id"))));
        assertThat(reissued.at("data.invoiceVoid.userErrors")).as(reissued.body()).isEqualTo(List.of());
        String reissueNumber = (String) reissued.at("data.invoiceVoid.invoice.number");
        assertThat(rows.value("SELECT amount FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED' AND description = ?", organization,
                "Invoice " + november.get("number") + " voided: its overdraft is no longer billed on it").toString()).startsWith("-3.00");
        assertThat(rows.value("SELECT amount FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED' AND description = ?", organization,
                "Overdraft billed on invoice " + reissueNumber).toString()).startsWith("3.00");
        assertThat(credits(tenant)).isEqualByComparingTo("0");
        // Voiding the reissue (no new one finalized twice): its entry is posted back once, and its own reissue posts once.
        TestApi.Response again = api.graphql(admin, VOID, Map.of("input", Map.of("invoiceId", reissued.at("data.invoiceVoid.invoice.id"))));
        assertThat(again.at("data.invoiceVoid.userErrors")).as(again.body()).isEqualTo(List.of());
        assertThat(rows.count("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED'", organization)).isEqualTo(6);
        assertThat(credits(tenant)).isEqualByComparingTo("0");
        assertThat((java.math.BigDecimal) rows.value("SELECT SUM(amount) FROM ledger_entry WHERE organization_id = ? AND kind = 'INVOICED'", organization))
                .isEqualByComparingTo("5.00");
    }

    @Test
    void featureChargesBreakTheUsageDownAndAddUpExactly() throws Exception {
        clock.set(Instant.parse("2026-08-20T12:00:00Z"));
        Fixtures.Tenant tenant = tenant("inv-features", "UTC");
        // Three events of 0.33333 USD each: one per feature and one naming none. The usage line is 0.99999 rounded once: 1.00.
        clock.set(Instant.parse("2026-09-20T00:00:00Z"));
        send(tenant, "f1", "2026-09-05T10:00:00Z", 11_111, Map.of("feature", "chat"));
        send(tenant, "f2", "2026-09-06T10:00:00Z", 11_111, Map.of("feature", "agents"));
        send(tenant, "f3", "2026-09-07T10:00:00Z", 11_111);
        // Still a draft in the grace: the breakdown as it would be computed now.
        clock.set(Instant.parse("2026-10-01T00:30:00Z"));
        Map<String, Object> draft = closed(tenant, "2026-09");
        assertThat(draft.get("status")).isEqualTo("DRAFT");
        List<String> thirds = List.of("agents 0.333334 0.34", "chat 0.333333 0.33", "null 0.333333 0.33");
        assertThat(featureSummary(draft)).isEqualTo(thirds);

        clock.set(Instant.parse("2026-10-01T02:00:00Z"));
        Map<String, Object> september = closed(tenant, "2026-09");
        assertThat(lineSummary(september)).containsExactly("USAGE 33333 1.00");
        // A breakdown of the same usage, not more lines: the subtotal is the usage line alone; the thirds add up to it exactly.
        assertThat(TestApi.at(september, "subtotal.amount")).isEqualTo("1.00");
        assertThat(featureSummary(september)).isEqualTo(thirds);
        long invoiceRow = io.meterline.platform.common.GlobalId.require((String) september.get("id"), "Invoice");
        assertThat((java.math.BigDecimal) rows.value("SELECT SUM(amount) FROM invoice_feature_charge WHERE invoice_id = ?", invoiceRow)).isEqualByComparingTo("1.00");
        assertThat((java.math.BigDecimal) rows.value("SELECT SUM(share) FROM invoice_feature_charge WHERE invoice_id = ?", invoiceRow)).isEqualByComparingTo("1");

        // Frozen at finalization: usage arriving later changes neither the lines nor the breakdown.
        send(tenant, "f4", "2026-09-08T10:00:00Z", 100_000, Map.of("feature", "chat"));
        @SuppressWarnings("unchecked")
        Map<String, Object> read = (Map<String, Object>) api.graphql(tenant.memberToken(), INVOICE, Map.of("id", september.get("id"))).at("data.invoice");
        assertThat(featureSummary(read)).isEqualTo(thirds);

        String text = text(pdf(tenant.memberToken(), (String) september.get("pdfUrl"), 200));
        assertThat(text).contains("Usage by feature", "agents 0.333334 0.34", "chat 0.333333 0.33", "Unattributed 0.333333 0.33", "Subtotal 1.00");
    }

    @Test
    void usageBilledInAFormerCurrencyDuringThePeriodIsBilledConvertedAtTheChangeDaysRate() {
        clock.set(Instant.parse("2026-08-20T12:00:00Z"));
        io.meterline.platform.support.FxFixtures.setRate(api, admin, "USD", "1.25", "2026-08-01");
        Fixtures.Tenant tenant = tenant("inv-fx", "UTC", "EUR");
        // Billed in EUR until the change: 3.00 USD is 2.40 EUR at 1.25 USD per euro.
        clock.set(Instant.parse("2026-09-10T00:00:00Z"));
        send(tenant, "fx1", "2026-09-05T10:00:00Z", 100_000);
        clock.set(Instant.parse("2026-09-15T00:00:00Z"));
        io.meterline.platform.support.FxFixtures.setRate(api, admin, "USD", "1.20", "2026-09-15");
        TestApi.Response changed = api.graphql(admin, "mutation($input: BillingCurrencyChangeInput!) { billingCurrencyChange(input: $input) {"
                + " organization { billingCurrency } userErrors { field code } } }", Map.of("input", Map.of("organizationId", tenant.organizationId(), "currencyCode", "USD")));
        assertThat(changed.at("data.billingCurrencyChange.organization.billingCurrency")).as(changed.body()).isEqualTo("USD");
        clock.set(Instant.parse("2026-09-21T00:00:00Z"));
        send(tenant, "fx2", "2026-09-20T10:00:00Z", 100_000);

        // Both parts are billed: the EUR part once converted at the rate of the change's day (1.20), 2.40 EUR = 2.88 USD.
        clock.set(Instant.parse("2026-10-01T02:00:00Z"));
        Map<String, Object> september = closed(tenant, "2026-09");
        assertThat(lineSummary(september)).containsExactly("USAGE 100000 3.00", "USAGE 100000 2.88");
        assertThat(TestApi.at(september, "lines.1.description")).isEqualTo("openai/gpt-4 (billed in EUR: 2.40 EUR at 1.2 USD/EUR of 2026-09-15)");
        assertThat(TestApi.at(september, "subtotal.amount")).isEqualTo("5.88");
        assertThat(TestApi.at(september, "subtotal.currencyCode")).isEqualTo("USD");
        assertThat(featureSummary(september)).containsExactly("null 1 5.88");

        // Late usage of a day still billed in EUR (0.33333 USD = 0.266664 EUR) is adjusted the same way: 2.666664 EUR is 3.20 USD, 0.32 more.
        clock.set(Instant.parse("2026-10-05T00:00:00Z"));
        send(tenant, "fx3", "2026-09-06T10:00:00Z", 11_111);
        assertThat(rows.value("SELECT billing_currency FROM usage_event WHERE event_id = 'fx3'")).isEqualTo("EUR");
        clock.set(Instant.parse("2026-11-01T02:00:00Z"));
        Map<String, Object> october = closed(tenant, "2026-10");
        assertThat(lineSummary(october)).containsExactly("ADJUSTMENT 1 0.32");
        assertThat(TestApi.at(october, "lines.0.description")).isEqualTo("Late usage of 2026-09: openai/gpt-4");
    }
}
