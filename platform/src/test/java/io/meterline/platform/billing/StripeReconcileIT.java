package io.meterline.platform.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.stripe.Stripe;
import com.stripe.exception.StripeException;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation after a webhook outage, with WireMock answering Stripe's {@code GET /v1/events}: the
 * events the inbox lacks are stored and applied like webhooks, the ones it has are not stored twice.
 */
class StripeReconcileIT extends ServerTest {

    private static final String SECRET = "whsec_test_reconcile_0123456789ab";

    @Inject
    TransactionOperations<Connection> transactions;
    @Inject
    MutableClock clock;
    @Inject
    StripeReconciler reconciler;
    @Inject
    StripeEventWorker worker;
    @Inject
    RecordingStripeHandler handler;

    WireMockServer stripe;
    Rows rows;

    @Override
    public Map<String, String> getProperties() {
        stripe = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        stripe.start();
        Map<String, String> properties = StripeFixtures.wireMockStripe(super.getProperties(), stripe, SECRET);
        properties.put("meterline.stripe.max-network-retries", "0");
        // The test runs the worker and the reconciler itself.
        properties.put("meterline.stripe.webhook.reconcile-interval", "1h");
        return properties;
    }

    @BeforeAll
    void start() {
        rows = new Rows(transactions);
        clock.set(Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    @AfterAll
    void stop() {
        stripe.stop();
    }

    private String event(String id, long created, String apiVersion) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"" + apiVersion + "\",\"created\":" + created
                + ",\"livemode\":false,\"pending_webhooks\":0,\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + RecordingStripeHandler.TYPE
                + "\",\"data\":{\"object\":{\"id\":\"cs_test_" + id + "\",\"object\":\"checkout.session\"}}}";
    }

    private void stripeLists(String... events) {
        stripe.resetAll();
        stripe.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathEqualTo("/v1/events")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"object\":\"list\",\"url\":\"/v1/events\",\"has_more\":false,\"data\":[" + String.join(",", events) + "]}")));
    }

    private Object column(String column, String eventId) {
        return rows.value("SELECT " + column + " FROM stripe_event WHERE event_id = ?", eventId);
    }

    @Test
    void eventsTheWebhookMissedAreStoredOnceAndApplied() throws StripeException {
        long now = clock.instant().getEpochSecond();
        String delivered = event("evt_recon_delivered", now - 120, Stripe.API_VERSION);
        String missed = event("evt_recon_missed", now - 60, Stripe.API_VERSION);
        String otherVersion = event("evt_recon_old_version", now - 30, "2019-02-19");
        // The webhook delivered the first one; the outage swallowed the others.
        HttpRequest request = HttpRequest.newBuilder(server.getURI().resolve("/v1/stripe/webhook")).header("Content-Type", "application/json")
                .header("Stripe-Signature", StripeWebhookIT.sign(SECRET, now, delivered)).POST(HttpRequest.BodyPublishers.ofString(delivered)).build();
        TestApi.Response response = api.send(request);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        long before = rows.count("SELECT COUNT(*) FROM stripe_event");

        // Stripe lists newest first.
        stripeLists(otherVersion, missed, delivered);
        assertThat(reconciler.reconcile()).isEqualTo(2);
        assertThat(rows.count("SELECT COUNT(*) FROM stripe_event")).isEqualTo(before + 2);
        assertThat(column("status", "evt_recon_missed")).isEqualTo("PENDING");
        assertThat(column("status", "evt_recon_old_version")).isEqualTo("VERSION_MISMATCH");
        // It read from the newest stored event less the overlap.
        List<LoggedRequest> calls = stripe.findAll(getRequestedFor(urlPathEqualTo("/v1/events")));
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).queryParameter("created[gt]").firstValue()).isEqualTo(Long.toString(now - 120 - 3600 - 1));

        worker.work();
        assertThat(handler.applied).containsExactlyInAnyOrder("evt_recon_delivered", "evt_recon_missed");
        assertThat(column("status", "evt_recon_missed")).isEqualTo("APPLIED");

        // Another run, or another instance, over the same period: nothing new, nothing applied twice.
        assertThat(reconciler.reconcile()).isZero();
        worker.work();
        assertThat(handler.applied).hasSize(2);
    }

    @Test
    void stripeFailingStoresNothing() {
        long before = rows.count("SELECT COUNT(*) FROM stripe_event");
        stripe.resetAll();
        stripe.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathEqualTo("/v1/events")).willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"An unknown error occurred\"}}")));
        assertThatThrownBy(() -> reconciler.reconcile()).isInstanceOf(StripeException.class);
        assertThat(rows.count("SELECT COUNT(*) FROM stripe_event")).isEqualTo(before);
    }
}
