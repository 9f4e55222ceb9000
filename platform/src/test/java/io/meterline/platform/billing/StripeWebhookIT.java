package io.meterline.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.Stripe;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/stripe/webhook} as Stripe calls it: bodies signed in the test with the endpoint's
 * secret (Stripe's scheme: {@code t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">}), then the inbox worker run
 * by hand on the injected clock.
 */
class StripeWebhookIT extends ServerTest {

    private static final String SECRET = "whsec_test_inbox_0123456789abcdef";
    private static final String PATH = "/v1/stripe/webhook";

    @Inject
    TransactionOperations<Connection> transactions;
    @Inject
    MutableClock clock;
    @Inject
    StripeEventWorker worker;
    @Inject
    RecordingStripeHandler handler;

    Rows rows;
    int sequence;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.stripe.webhook.signing-secret", SECRET);
        // The test runs the worker itself.
        properties.put("meterline.stripe.webhook.work-interval", "1h");
        properties.put("meterline.stripe.webhook.max-attempts", "3");
        properties.put("meterline.stripe.webhook.backoff", "10s,1m");
        return properties;
    }

    @BeforeAll
    void start() {
        rows = new Rows(transactions);
    }

    @BeforeEach
    void now() {
        // Whole microseconds, as DATETIME(6) keeps them (a rounded-up next_attempt_at would not be due yet), and never backwards.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        clock.set(now.isAfter(clock.instant()) ? now : clock.instant().plusSeconds(1));
        handler.applied.clear();
        handler.failuresLeft.set(0);
    }

    private String event(String id, String type, String apiVersion) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"" + apiVersion + "\",\"created\":" + clock.instant().getEpochSecond()
                + ",\"livemode\":false,\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + type
                + "\",\"data\":{\"object\":{\"id\":\"cs_test_" + id + "\",\"object\":\"checkout.session\",\"client_reference_id\":\"42\"}}}";
    }

    private String event(String id) {
        return event(id, RecordingStripeHandler.TYPE, Stripe.API_VERSION);
    }

    private String newId() {
        return "evt_test_" + (++sequence) + "_" + Long.toHexString(System.nanoTime());
    }

    static String sign(String secret, long timestamp, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8)));
        }
        catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestApi.Response send(String payload, String signature) {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(server.getURI().resolve(PATH))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(payload));
        if (signature != null) {
            request.header("Stripe-Signature", signature);
        }
        return api.send(request.build());
    }

    private TestApi.Response send(String payload) {
        return send(payload, sign(SECRET, clock.instant().getEpochSecond(), payload));
    }

    private long events() {
        return rows.count("SELECT COUNT(*) FROM stripe_event");
    }

    private Object column(String column, String eventId) {
        return rows.value("SELECT " + column + " FROM stripe_event WHERE event_id = ?", eventId);
    }

    @Test
    void aSignedEventIsStoredOnceAndAppliedOnceHoweverOftenItArrives() {
        String id = newId();
        String payload = event(id);
        TestApi.Response first = send(payload);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.at("duplicate")).isEqualTo(false);
        assertThat(column("status", id)).isEqualTo("PENDING");
        long stored = events();

        // Stripe retries (same body, new signature time) and an attacker replays the same request: nothing new.
        clock.set(clock.instant().plus(Duration.ofSeconds(30)));
        assertThat(send(payload).at("duplicate")).isEqualTo(true);
        assertThat(events()).isEqualTo(stored);

        assertThat(worker.work()).isEqualTo(1);
        assertThat(handler.applied).containsExactly(id);
        assertThat(column("status", id)).isEqualTo("APPLIED");
        assertThat(send(payload).at("duplicate")).isEqualTo(true);
        assertThat(worker.work()).isZero();
        assertThat(handler.applied).containsExactly(id);
        assertThat(column("payload", id)).as("the verified raw body is kept").isEqualTo(payload);
    }

    @Test
    void forgedStaleAndMalformedRequestsAre400AndStoreNothing() {
        long stored = events();
        String payload = event(newId());
        long now = clock.instant().getEpochSecond();
        Map<String, String> hostile = new HashMap<>();
        hostile.put("signed with another secret", sign("whsec_attacker_secret_000000000000", now, payload));
        hostile.put("a stale timestamp (301 s)", sign(SECRET, now - 301, payload));
        hostile.put("no v1 signature", "t=" + now);
        hostile.put("garbage header", "not-a-signature");
        for (Map.Entry<String, String> attack : hostile.entrySet()) {
            TestApi.Response response = send(payload, attack.getValue());
            assertThat(response.status()).as(attack.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(response.at("errors.0.extensions.code")).as(attack.getKey()).isEqualTo("BAD_USER_INPUT");
        }
        assertThat(send(payload, null).status()).as("no Stripe-Signature").isEqualTo(400);
        // The body changed after signing (an amount edited in flight).
        String signed = sign(SECRET, now, payload);
        assertThat(send(payload.replace("\"livemode\":false", "\"livemode\":true"), signed).status()).as("a tampered body").isEqualTo(400);
        // Signed correctly, but not an event.
        String notAnEvent = "{\"hello\": ";
        assertThat(send(notAnEvent).status()).as("signed garbage").isEqualTo(400);
        String noId = "{\"object\":\"event\",\"type\":\"x\"}";
        assertThat(send(noId).status()).as("an event without an id").isEqualTo(400);
        assertThat(events()).as("nothing stored").isEqualTo(stored);
        assertThat(handler.applied).isEmpty();
    }

    @Test
    void anEventOfAnotherApiVersionIsKeptAndReportedNeverApplied() {
        String id = newId();
        TestApi.Response response = send(event(id, RecordingStripeHandler.TYPE, "2019-02-19"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.at("status")).isEqualTo("VERSION_MISMATCH");
        assertThat(column("status", id)).isEqualTo("VERSION_MISMATCH");
        assertThat(column("api_version", id)).isEqualTo("2019-02-19");
        worker.work();
        assertThat(handler.applied).isEmpty();
        assertThat(column("status", id)).isEqualTo("VERSION_MISMATCH");
    }

    @Test
    void aFailingEventIsRetriedAfterItsBackoffAndGivenUpAfterTheLastAttempt() {
        String retried = newId();
        handler.failuresLeft.set(1);
        send(event(retried));
        worker.work();
        assertThat(handler.applied).isEmpty();
        assertThat(column("status", retried)).isEqualTo("PENDING");
        assertThat(column("attempt_count", retried)).isEqualTo(1);
        assertThat(column("last_error", retried)).isEqualTo("IllegalStateException");
        worker.work();
        assertThat(handler.applied).as("not before its backoff").isEmpty();
        clock.set(clock.instant().plus(Duration.ofSeconds(10)));
        worker.work();
        assertThat(handler.applied).containsExactly(retried);
        assertThat(column("status", retried)).isEqualTo("APPLIED");

        String doomed = newId();
        handler.failuresLeft.set(10);
        send(event(doomed));
        worker.work();
        clock.set(clock.instant().plus(Duration.ofSeconds(10)));
        worker.work();
        clock.set(clock.instant().plus(Duration.ofMinutes(1)));
        worker.work();
        assertThat(column("status", doomed)).isEqualTo("FAILED");
        assertThat(column("attempt_count", doomed)).isEqualTo(3);
        clock.set(clock.instant().plus(Duration.ofHours(1)));
        worker.work();
        assertThat(handler.applied).containsExactly(retried);
    }

    @Test
    void anEventNoHandlerAppliesIsStoredAsIgnored() {
        String id = newId();
        send(event(id, "customer.tax_id.created", Stripe.API_VERSION));
        worker.work();
        assertThat(column("status", id)).isEqualTo("IGNORED");
        assertThat(handler.applied).isEmpty();
    }

    @Test
    void aClaimedEventIsAppliedByOneWorkerOnly() {
        String id = newId();
        send(event(id));
        StripeInbox inbox = server.getApplicationContext().getBean(StripeInbox.class);
        Instant now = clock.instant();
        // Another instance claimed it first: this one's run skips it until the lease ends.
        assertThat(inbox.claim(10, now, now.plus(Duration.ofMinutes(2)))).hasSize(1);
        assertThat(worker.work()).isZero();
        assertThat(handler.applied).isEmpty();
        clock.set(clock.instant().plus(Duration.ofMinutes(2)));
        assertThat(worker.work()).isEqualTo(1);
        assertThat(handler.applied).containsExactly(id);
    }

    @Test
    void platformAdminsSeeTheInboxAndRetryAFailedEventOthersCannot() {
        String failed = newId();
        handler.failuresLeft.set(10);
        send(event(failed));
        worker.work();
        clock.set(clock.instant().plus(Duration.ofSeconds(10)));
        worker.work();
        clock.set(clock.instant().plus(Duration.ofMinutes(1)));
        worker.work();
        handler.failuresLeft.set(0);
        assertThat(column("status", failed)).isEqualTo("FAILED");

        String list = "{ stripeEvents(status: FAILED, first: 5) { totalCount nodes { eventId type status attemptCount lastError } } }";
        TestApi.Response listed = api.graphql(api.adminToken(), list);
        assertThat(listed.pluck("data.stripeEvents.nodes", "eventId")).contains(failed);
        assertThat(listed.at("data.stripeEvents.nodes.0.lastError")).isEqualTo("IllegalStateException");

        io.meterline.platform.support.Fixtures.Tenant tenant = io.meterline.platform.support.Fixtures.tenant(api, "stripe-inbox", "UTC");
        String retry = "mutation($input: StripeEventRetryInput!) { stripeEventRetry(input: $input) { stripeEvent { status attemptCount } userErrors { code } } }";
        for (String token : new String[] {tenant.adminToken(), tenant.memberToken()}) {
            assertThat(api.graphql(token, list).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
            assertThat(api.graphql(token, retry, Map.of("input", Map.of("eventId", failed))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        }
        assertThat(column("status", failed)).as("an organization admin changed nothing").isEqualTo("FAILED");

        TestApi.Response unknown = api.graphql(api.adminToken(), retry, Map.of("input", Map.of("eventId", "evt_never_sent")));
        assertThat(unknown.codes("data.stripeEventRetry.userErrors")).containsExactly("NOT_FOUND");

        TestApi.Response retried = api.graphql(api.adminToken(), retry, Map.of("input", Map.of("eventId", failed)));
        assertThat(retried.at("data.stripeEventRetry.stripeEvent.status")).as(retried.body()).isEqualTo("PENDING");
        assertThat(retried.at("data.stripeEventRetry.stripeEvent.attemptCount")).isEqualTo(0);
        worker.work();
        assertThat(handler.applied).containsExactly(failed);
        TestApi.Response again = api.graphql(api.adminToken(), retry, Map.of("input", Map.of("eventId", failed)));
        assertThat(again.codes("data.stripeEventRetry.userErrors")).as("an APPLIED event is not applied twice").containsExactly("INVALID");
        assertThat(column("status", failed)).isEqualTo("APPLIED");
        worker.work();
        assertThat(handler.applied).containsExactly(failed);
    }
}
