package io.meterline.platform.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
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
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Meterline's own invoices collected through Stripe (WireMock in Stripe's place): a finalized invoice is created in
 * Stripe with our id in its metadata, one item per charged line and one for the tax, each call with an idempotency key
 * made from our ids; Stripe's invoice.paid of it records the payment and settles ours, invoice.payment_failed leaves the
 * subscription alone, and an event naming our invoice under another Stripe invoice is ignored.
 */
class OwnInvoiceStripeIT extends ServerTest {

    private static final String SECRET = "whsec_test_own_invoices_0123456789";
    private static final String STRIPE_INVOICE = "in_1MeterlineOwn01";

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
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        properties.put("meterline.analytics.scheduled-roll", "false");
        properties.put("meterline.invoices.scheduled-close", "false");
        properties.put("meterline.invoices.email-invoices", "false");
        return properties;
    }

    @AfterAll
    void stopStripe() {
        stripe.stop();
    }

    private static String stripeInvoice(String id, long invoiceId, String status, long amountPaid, long attempts) {
        return """
                {"id": "%s", "object": "invoice", "account_country": "CA", "amount_due": 3390, "amount_paid": %d, "amount_remaining": %d,
                 "attempt_count": %d, "attempted": true, "billing_reason": "manual", "collection_method": "charge_automatically", "currency": "usd",
                 "customer": "%s", "livemode": false, "metadata": {"meterline_invoice_id": "%d"}, "status": "%s", "parent": null}
                """.formatted(id, amountPaid, 3390 - amountPaid, attempts, StripeFixtures.CUSTOMER_ID, invoiceId, status);
    }

    private Object deliver(String type, String object) {
        String id = StripeFixtures.deliverSigned(api, server.getURI(), SECRET, clock.instant(), "evt_test_own_" + (++sequence) + "_" + Long.toHexString(System.nanoTime()),
                type, object);
        worker.work();
        return new Rows(transactions).value("SELECT status FROM stripe_event WHERE event_id = ?", id);
    }

    @Test
    void aFinalizedInvoiceIsCollectedThroughStripeAndItsPaymentSettlesOurs() {
        StripeFixtures.happy(stripe);
        String created = stripeInvoice(STRIPE_INVOICE, 0, "draft", 0, 0);
        stripe.stubFor(post(urlEqualTo("/v1/invoices")).willReturn(StripeFixtures.json(200, created)));
        stripe.stubFor(post(urlEqualTo("/v1/invoiceitems")).willReturn(StripeFixtures.json(200, "{\"id\": \"ii_1\", \"object\": \"invoiceitem\"}")));
        stripe.stubFor(post(urlPathEqualTo("/v1/invoices/" + STRIPE_INVOICE + "/finalize")).willReturn(StripeFixtures.json(200, created)));
        Rows rows = new Rows(transactions);
        String admin = api.adminToken();
        clock.set(Instant.parse("2026-03-10T12:00:00Z"));
        assertThat(api.graphql(admin, "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { userErrors { code } } }", Map.of("input",
                Map.of("country", "CA", "region", "ON", "name", "HST", "percent", "13", "effectiveFrom", "2020-01-01"))).at("data.taxRateSet.userErrors"))
                .isEqualTo(List.of());
        Fixtures.Tenant tenant = Fixtures.tenant(api, "own-stripe", "America/Toronto", "USD");
        api.graphql(tenant.adminToken(), "mutation($input: CompanyDetailsUpdateInput!) { companyDetailsUpdate(input: $input) { userErrors { code } } }",
                Map.of("input", Map.of("companyName", "Own Stripe Inc", "billingEmail", "billing@own-stripe.test", "region", "ON", "country", "CA")));
        clock.set(Instant.parse("2026-05-01T06:00:00Z"));
        api.usage(tenant.apiKey(), api.write(Map.of("events", List.of(Map.of("id", "s1", "timestamp", "2026-04-10T15:00:00Z", "provider", "openai",
                "model", "gpt-4", "meters", Map.of("input_tokens", 1_000_000))))));
        roller.rollAll();
        TestApi.Response closed = api.graphql(admin, "mutation($input: InvoicePeriodCloseInput!) { invoicePeriodClose(input: $input) { invoice { id status"
                + " total { amount } } userErrors { code } } }", Map.of("input", Map.of("organizationId", tenant.organizationId(), "month", "2026-04")));
        assertThat(closed.at("data.invoicePeriodClose.invoice.total.amount")).as(closed.body()).isEqualTo("33.90");
        String id = (String) closed.at("data.invoicePeriodClose.invoice.id");
        long rowId = GlobalId.require(id, "Invoice");

        // The finalization sent it after its commit; the month close's retry path sends what is missing (the same keys: nothing twice).
        invoiceStripe.sendPending();
        assertThat(rows.value("SELECT stripe_invoice_id FROM invoice WHERE id = ?", rowId)).isEqualTo(STRIPE_INVOICE);
        Map<String, String> items = new TreeMap<>();
        String invoiceCreate = null;
        for (ServeEvent served : stripe.getAllServeEvents()) {
            String key = served.getRequest().getHeader("Idempotency-Key");
            String url = served.getRequest().getUrl();
            if (url.equals("/v1/invoiceitems")) {
                items.put(key, form(served.getRequest().getBodyAsString(), "amount"));
            }
            else if (url.equals("/v1/invoices")) {
                invoiceCreate = served.getRequest().getBodyAsString();
                assertThat(key).isEqualTo("meterline-invoice-" + rowId + "-create");
            }
        }
        // 30.00 USD of usage and 3.90 USD of tax, in cents: Stripe's total is ours.
        assertThat(items).isEqualTo(Map.of("meterline-invoice-" + rowId + "-item-0", "3000", "meterline-invoice-" + rowId + "-tax", "390"));
        assertThat(form(invoiceCreate, "metadata[meterline_invoice_id]")).isEqualTo(String.valueOf(rowId));
        assertThat(form(invoiceCreate, "pending_invoice_items_behavior")).isEqualTo("exclude");

        // A payment failure of our invoice: applied, our invoice stays open, no subscription is touched.
        assertThat(deliver("invoice.payment_failed", stripeInvoice(STRIPE_INVOICE, rowId, "open", 0, 1))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", rowId)).isEqualTo("OPEN");
        // An event naming our invoice under another Stripe invoice changes nothing.
        assertThat(deliver("invoice.paid", stripeInvoice("in_1SomeoneElse", rowId, "paid", 3390, 1))).isEqualTo("APPLIED");
        assertThat(rows.value("SELECT status FROM invoice WHERE id = ?", rowId)).isEqualTo("OPEN");
        // Stripe collected it: ours is paid, once, however often the event comes.
        assertThat(deliver("invoice.paid", stripeInvoice(STRIPE_INVOICE, rowId, "paid", 3390, 1))).isEqualTo("APPLIED");
        assertThat(deliver("invoice.paid", stripeInvoice(STRIPE_INVOICE, rowId, "paid", 3390, 1))).isEqualTo("APPLIED");
        TestApi.Response paid = api.graphql(tenant.memberToken(), "query($id: ID!) { invoice(id: $id) { status amountDue { amount }"
                + " payments { amount { amount } method reference } } }", Map.of("id", id));
        assertThat(paid.at("data.invoice.status")).as(paid.body()).isEqualTo("PAID");
        assertThat(paid.at("data.invoice.payments")).isEqualTo(List.of(Map.of("amount", Map.of("amount", "33.90"), "method", "STRIPE", "reference", STRIPE_INVOICE)));
    }

    /** A value of a form-encoded body (stripe-java's requests). */
    private static String form(String body, String name) {
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            if (java.net.URLDecoder.decode(parts[0], java.nio.charset.StandardCharsets.UTF_8).equals(name)) {
                return java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
