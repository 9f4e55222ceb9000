package io.meterline.platform.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.meterline.platform.analytics.UsageRoller;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.invoice.InvoiceStripe;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Corrections of invoices Stripe collects reach Stripe (WireMock in Stripe's place, stripe-java's own retries off so a
 * 500 reaches our outbox): a reduction of an open invoice and a refund of a Stripe payment become Stripe credit notes, a
 * void voids Stripe's invoice, each under one idempotency key made from our id however often it is sent; and Stripe's
 * invoice.voided / invoice.marked_uncollectible update ours without undoing a payment.
 */
class InvoiceCorrectionStripeIT extends ServerTest {

    private static final String SECRET = "whsec_test_corrections_0123456789";
    private static final String CREDIT_NOTE = "mutation($input: CreditNoteCreateInput!) { creditNoteCreate(input: $input) { creditNote { number settlement"
            + " stripeCreditNoteId amount { amount } } invoice { status amountDue { amount } amountPaid { amount } payments { amount { amount } method reference } }"
            + " userErrors { field code } } }";
    private static final String CLOSE = "mutation($input: InvoicePeriodCloseInput!) { invoicePeriodClose(input: $input) { invoice { id number status"
            + " total { amount } } userErrors { code } } }";

    @Inject
    TransactionOperations<Connection> transactions;
    @Inject
    MutableClock clock;
    @Inject
    UsageRoller roller;
    @Inject
    InvoiceStripe invoiceStripe;
    @Inject
    StripeEventWorker worker;

    WireMockServer stripe;
    int sequence;

    @Override
    public Map<String, String> getProperties() {
        stripe = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        stripe.start();
        Map<String, String> properties = StripeFixtures.wireMockStripe(super.getProperties(), stripe, SECRET);
        properties.put("meterline.stripe.max-network-retries", "0");
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        properties.put("meterline.webhooks.allow-http", "true");
        properties.put("meterline.webhooks.allowed-hosts", "localhost");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.invoices.scheduled-close", "false");
        properties.put("meterline.invoices.email-invoices", "false");
        return properties;
    }

    @AfterAll
    void stopStripe() {
        stripe.stop();
    }

    private static String stripeInvoice(String id, long invoiceId, String status, long amountPaid) {
        return """
                {"id": "%s", "object": "invoice", "amount_due": 3000, "amount_paid": %d, "amount_remaining": 0, "attempt_count": 1, "attempted": true,
                 "billing_reason": "manual", "collection_method": "charge_automatically", "currency": "usd", "customer": "%s", "livemode": false,
                 "metadata": {"meterline_invoice_id": "%d"}, "status": "%s", "parent": null}
                """.formatted(id, amountPaid, StripeFixtures.CUSTOMER_ID, invoiceId, status);
    }

    /** Stripe makes the invoice numbered {@code number} under {@code stripeId}. */
    private void stripeWillCreate(String number, String stripeId) {
        stripe.stubFor(post(urlEqualTo("/v1/invoices")).withRequestBody(containing(number)).atPriority(1)
                .willReturn(StripeFixtures.json(200, stripeInvoice(stripeId, 0, "draft", 0))));
    }

    /** Stripe answers 500 to the first call on {@code path}, then {@code body}: the outbox must send it again under the same key. */
    private void failsOnceThen(String path, String body) {
        stripe.stubFor(post(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("answered")
                .willReturn(StripeFixtures.json(500, StripeFixtures.error("api_error", "internal", "Something went wrong"))));
        stripe.stubFor(post(urlEqualTo(path)).inScenario(path).whenScenarioStateIs("answered").willReturn(StripeFixtures.json(200, body)));
    }

    /** Runs the outbox until the condition holds (the send after our commit may have met the 500 or the answer). */
    private void sendPendingUntil(BooleanSupplier done) {
        for (int run = 0; run < 5 && !done.getAsBoolean(); run++) {
            invoiceStripe.sendPending();
        }
        assertThat(done.getAsBoolean()).isTrue();
    }

    private Object deliver(String type, String object) {
        String id = StripeFixtures.deliverSigned(api, server.getURI(), SECRET, clock.instant(), "evt_test_correction_" + (++sequence) + "_" + Long.toHexString(System.nanoTime()),
                type, object);
        worker.work();
        return new Rows(transactions).value("SELECT status FROM stripe_event WHERE event_id = ?", id);
    }

    private Map<String, Object> close(String admin, Fixtures.Tenant tenant, String month) {
        TestApi.Response closed = api.graphql(admin, CLOSE, Map.of("input", Map.of("organizationId", tenant.organizationId(), "month", month)));
        assertThat(closed.at("data.invoicePeriodClose.userErrors")).as(closed.body()).isEqualTo(List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> invoice = (Map<String, Object>) closed.at("data.invoicePeriodClose.invoice");
        return invoice;
    }

    private static List<String> keys(List<LoggedRequest> requests) {
        return requests.stream().map(request -> request.getHeader("Idempotency-Key")).distinct().toList();
    }

    @Test
    void reductionsRefundsAndVoidsReachStripeOnceAndStripesEventsUpdateOurs() {
        StripeFixtures.happy(stripe);
        stripe.stubFor(post(urlEqualTo("/v1/invoices")).atPriority(5).willReturn(StripeFixtures.json(200, stripeInvoice("in_1Reissue", 0, "draft", 0))));
        stripe.stubFor(post(urlEqualTo("/v1/invoiceitems")).willReturn(StripeFixtures.json(200, "{\"id\": \"ii_1\", \"object\": \"invoiceitem\"}")));
        stripe.stubFor(post(urlPathMatching("/v1/invoices/[^/]+/finalize")).willReturn(StripeFixtures.json(200, stripeInvoice("in_1Any", 0, "open", 0))));
        stripeWillCreate("INV-2026-000001", "in_1April");
        stripeWillCreate("INV-2026-000002", "in_1May");
        Rows rows = new Rows(transactions);
        String admin = api.adminToken();
        clock.set(Instant.parse("2026-03-10T12:00:00Z"));
        Fixtures.Tenant tenant = Fixtures.tenant(api, "corrections", "America/Toronto", "USD");
        Fixtures.Tenant other = Fixtures.tenant(api, "corrections-other", "America/Toronto", "USD");
        TestApi.Response endpoint = api.graphql(tenant.adminToken(), "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
                + " userErrors { code } } }", Map.of("input", Map.of("url", "http://localhost:" + stripe.port() + "/hook",
                "eventTypes", List.of("invoice.voided", "invoice.credit_note_created"))));
        assertThat(endpoint.at("data.webhookEndpointCreate.userErrors")).as(endpoint.body()).isEqualTo(List.of());
        clock.set(Instant.parse("2026-05-01T06:00:00Z"));
        api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(Map.of("id", "c1", "timestamp", "2026-04-10T15:00:00Z", "provider", "openai",
                "model", "gpt-4", "meters", Map.of("input_tokens", 1_000_000))))));
        roller.rollAll();
        Map<String, Object> april = close(admin, tenant, "2026-04");
        assertThat(TestApi.at(april, "total.amount")).isEqualTo("30.00");
        String aprilId = (String) april.get("id");
        long aprilRow = GlobalId.require(aprilId, "Invoice");
        sendPendingUntil(() -> "in_1April".equals(rows.value("SELECT stripe_invoice_id FROM invoice WHERE id = ?", aprilRow)));

        // Another organization's invoice is NOT_FOUND, whatever the settlement; nothing is stored or sent.
        TestApi.Response foreign = api.graphql(other.adminToken(), CREDIT_NOTE, Map.of("input", Map.of("invoiceId", aprilId, "amount", "1.00", "reason", "x",
                "settlement", "REDUCE_AMOUNT_DUE")));
        assertThat(foreign.at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");

        // Reducing what the open invoice owes reaches Stripe as a credit note on its invoice; Stripe fails once, the outbox sends it again under the same key.
        failsOnceThen("/v1/credit_notes", "{\"id\": \"cn_1Reduce\", \"object\": \"credit_note\"}");
        TestApi.Response reduced = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", aprilId, "amount", "5.00", "reason", "Goodwill")));
        assertThat(reduced.at("data.creditNoteCreate.creditNote.settlement")).as(reduced.body()).isEqualTo("REDUCE_AMOUNT_DUE");
        assertThat(reduced.at("data.creditNoteCreate.invoice.amountDue.amount")).isEqualTo("25.00");
        long reduceRow = rows.count("SELECT MAX(id) FROM credit_note");
        sendPendingUntil(() -> "cn_1Reduce".equals(rows.value("SELECT stripe_credit_note_id FROM credit_note WHERE id = ?", reduceRow)));
        List<LoggedRequest> creditNotes = StripeFixtures.requests(stripe, "/v1/credit_notes");
        assertThat(creditNotes.size()).isGreaterThanOrEqualTo(2);
        assertThat(keys(creditNotes)).containsExactly("meterline-credit-note-" + reduceRow);
        assertThat(creditNotes).allSatisfy(request -> assertThat(StripeFixtures.form(request)).containsEntry("invoice", "in_1April")
                .containsEntry("amount", "500").doesNotContainKey("refund_amount"));

        // Stripe collects the rest: ours is paid. A refund of more than was paid stores and sends nothing.
        assertThat(deliver("invoice.paid", stripeInvoice("in_1April", aprilRow, "paid", 2500))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", aprilRow)).isEqualTo("PAID");
        TestApi.Response tooMuch = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", aprilId, "amount", "25.01", "reason", "Refund",
                "settlement", "REFUND")));
        assertThat(tooMuch.codes("data.creditNoteCreate.userErrors")).containsExactly("EXCEEDS_AMOUNT");
        assertThat(rows.count("SELECT COUNT(*) FROM credit_note")).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM invoice_payment WHERE amount < 0")).isEqualTo(0);
        // Nothing new reached Stripe: every credit note request is still the reduction's (the scheduled outbox run may repeat it, under its key).
        assertThat(keys(StripeFixtures.requests(stripe, "/v1/credit_notes"))).containsExactly("meterline-credit-note-" + reduceRow);

        // A refund of what Stripe collected: Stripe refunds it (refund_amount), the payment history shows it.
        stripe.stubFor(post(urlEqualTo("/v1/credit_notes")).atPriority(1).withRequestBody(containing("refund_amount"))
                .willReturn(StripeFixtures.json(200, "{\"id\": \"cn_1Refund\", \"object\": \"credit_note\"}")));
        TestApi.Response refunded = api.graphql(admin, CREDIT_NOTE, Map.of("input", Map.of("invoiceId", aprilId, "amount", "10.00", "reason", "Refund",
                "settlement", "REFUND")));
        assertThat(refunded.at("data.creditNoteCreate.userErrors")).as(refunded.body()).isEqualTo(List.of());
        String refundNumber = (String) refunded.at("data.creditNoteCreate.creditNote.number");
        assertThat(refunded.at("data.creditNoteCreate.invoice.payments")).isEqualTo(List.of(
                Map.of("amount", Map.of("amount", "25.00"), "method", "STRIPE", "reference", "in_1April"),
                Map.of("amount", Map.of("amount", "-10.00"), "method", "REFUND", "reference", refundNumber)));
        long refundRow = rows.count("SELECT MAX(id) FROM credit_note");
        sendPendingUntil(() -> "cn_1Refund".equals(rows.value("SELECT stripe_credit_note_id FROM credit_note WHERE id = ?", refundRow)));
        List<LoggedRequest> refunds = StripeFixtures.requests(stripe, "/v1/credit_notes").stream()
                .filter(request -> StripeFixtures.form(request).containsKey("refund_amount")).toList();
        assertThat(keys(refunds)).containsExactly("meterline-credit-note-" + refundRow);
        assertThat(refunds).allSatisfy(request -> assertThat(StripeFixtures.form(request)).containsEntry("invoice", "in_1April").containsEntry("amount", "1000")
                .containsEntry("refund_amount", "1000"));
        // Sending again sends nothing more: Stripe has both.
        int before = StripeFixtures.requests(stripe, "/v1/credit_notes").size();
        invoiceStripe.sendPending();
        assertThat(StripeFixtures.requests(stripe, "/v1/credit_notes")).hasSize(before);

        // Voiding May's invoice voids Stripe's too (500 once, then the outbox), under one key; the reissue goes to Stripe as a new invoice.
        clock.set(Instant.parse("2026-06-01T06:00:00Z"));
        api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(Map.of("id", "c2", "timestamp", "2026-05-10T15:00:00Z", "provider", "openai",
                "model", "gpt-4", "meters", Map.of("input_tokens", 100_000))))));
        roller.rollAll();
        Map<String, Object> may = close(admin, tenant, "2026-05");
        long mayRow = GlobalId.require((String) may.get("id"), "Invoice");
        sendPendingUntil(() -> "in_1May".equals(rows.value("SELECT stripe_invoice_id FROM invoice WHERE id = ?", mayRow)));
        failsOnceThen("/v1/invoices/in_1May/void", stripeInvoice("in_1May", mayRow, "void", 0));
        TestApi.Response reissued = api.graphql(admin, "mutation($input: InvoiceVoidInput!) { invoiceVoid(input: $input) { invoice { id status } userErrors { code } } }",
                Map.of("input", Map.of("invoiceId", may.get("id"))));
        assertThat(reissued.at("data.invoiceVoid.invoice.status")).as(reissued.body()).isEqualTo("OPEN");
        long reissueRow = GlobalId.require((String) reissued.at("data.invoiceVoid.invoice.id"), "Invoice");
        sendPendingUntil(() -> rows.value("SELECT stripe_voided_at FROM invoice WHERE id = ?", mayRow) != null
                && "in_1Reissue".equals(rows.value("SELECT stripe_invoice_id FROM invoice WHERE id = ?", reissueRow)));
        List<LoggedRequest> voids = StripeFixtures.requests(stripe, "/v1/invoices/in_1May/void");
        assertThat(voids.size()).isGreaterThanOrEqualTo(2);
        assertThat(keys(voids)).containsExactly("meterline-invoice-" + mayRow + "-void");

        // Stripe's events: marked uncollectible makes the open reissue UNCOLLECTIBLE; voided makes it VOID (and Stripe need not be told);
        // a late marked_uncollectible leaves it VOID; a stray invoice.voided of the paid April invoice leaves it PAID.
        assertThat(deliver("invoice.marked_uncollectible", stripeInvoice("in_1Reissue", reissueRow, "uncollectible", 0))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", reissueRow)).isEqualTo("UNCOLLECTIBLE");
        assertThat(deliver("invoice.voided", stripeInvoice("in_1Reissue", reissueRow, "void", 0))).isEqualTo("APPLIED");
        assertThat(deliver("invoice.voided", stripeInvoice("in_1Reissue", reissueRow, "void", 0))).isEqualTo("APPLIED");
        assertThat(deliver("invoice.marked_uncollectible", stripeInvoice("in_1Reissue", reissueRow, "uncollectible", 0))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", reissueRow)).isEqualTo("VOID");
        invoiceStripe.sendPending();
        assertThat(StripeFixtures.requests(stripe, "/v1/invoices/in_1Reissue/void")).isEmpty();
        assertThat(deliver("invoice.voided", stripeInvoice("in_1April", aprilRow, "void", 0))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", aprilRow)).isEqualTo("PAID");
        // An event naming our invoice under another Stripe invoice changes nothing.
        assertThat(deliver("invoice.voided", stripeInvoice("in_1SomeoneElse", aprilRow, "void", 0))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", aprilRow)).isEqualTo("PAID");

        // Webhooks: two credit notes, two voids (ours and Stripe's), each once.
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE event_type = 'invoice.credit_note_created'")).isEqualTo(2);
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE event_type = 'invoice.voided'")).isEqualTo(2);
        assertThat((String) rows.value("SELECT payload FROM webhook_delivery WHERE event_type = 'invoice.credit_note_created' ORDER BY id DESC LIMIT 1"))
                .contains("REFUND", refundNumber);
    }
}
