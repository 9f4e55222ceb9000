package io.meterline.platform.billing;

import com.stripe.Stripe;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import io.meterline.platform.common.ErrorBody;
import io.meterline.platform.common.ErrorCode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.serde.annotation.Serdeable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/stripe/webhook}: Stripe's events. The raw body, unparsed, is verified against the
 * {@code Stripe-Signature} header with the endpoint's signing secret and a timestamp no older than
 * {@code meterline.stripe.webhook.tolerance}; a bad or stale signature answers 400 and stores nothing.
 * A verified event is stored once by its id (a replay answers 200 and changes nothing) and answered at
 * once; {@link StripeEventWorker} applies it. An event of another API version than stripe-java reads
 * is stored as {@link StripeEventStatus#VERSION_MISMATCH} and logged as an error, not applied half-read.
 */
@Controller("/v1/stripe/webhook")
public class StripeWebhookController {

    /** What Stripe is answered for a stored or replayed event. */
    @Serdeable
    public record Received(boolean received, boolean duplicate, String status) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(StripeWebhookController.class);

    private final StripeInbox inbox;
    private final StripeWebhookConfiguration configuration;
    private final Clock clock;

    public StripeWebhookController(StripeInbox inbox, StripeWebhookConfiguration configuration, Clock clock) {
        this.inbox = inbox;
        this.configuration = configuration;
        this.clock = clock;
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> receive(@Nullable @Header("Stripe-Signature") String signature, @Nullable @Body byte[] body) {
        if (!configuration.configured()) {
            return HttpResponse.badRequest(ErrorBody.of(ErrorCode.BAD_USER_INPUT,
                    "Stripe webhooks are not configured here: set METERLINE_STRIPE_WEBHOOK_SIGNING_SECRET (meterline.stripe.webhook.signing-secret)"));
        }
        if (signature == null || signature.isBlank() || body == null || body.length == 0) {
            return HttpResponse.badRequest(ErrorBody.of(ErrorCode.BAD_USER_INPUT, "A Stripe event needs its body and its Stripe-Signature header"));
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        Event event;
        try {
            event = Webhook.constructEvent(payload, signature, configuration.signingSecret(), configuration.tolerance().toSeconds(), clock);
        }
        catch (SignatureVerificationException e) {
            return HttpResponse.badRequest(ErrorBody.of(ErrorCode.BAD_USER_INPUT, "The Stripe-Signature does not verify this body (or its timestamp is too old)"));
        }
        catch (RuntimeException e) {
            // Signed with our secret but not an event: nothing Stripe sends, nothing to store.
            return HttpResponse.badRequest(ErrorBody.of(ErrorCode.BAD_USER_INPUT, "The body is not a Stripe event"));
        }
        if (event.getId() == null || event.getType() == null) {
            return HttpResponse.badRequest(ErrorBody.of(ErrorCode.BAD_USER_INPUT, "The body is not a Stripe event"));
        }
        StripeEventStatus status = StripeEventStatus.PENDING;
        if (!Stripe.API_VERSION.equals(event.getApiVersion())) {
            status = StripeEventStatus.VERSION_MISMATCH;
            LOG.error("Stripe event {} ({}) has API version {} but stripe-java reads {}: stored, not applied. Set the webhook endpoint's API version"
                    + " in Stripe to {}", event.getId(), event.getType(), event.getApiVersion(), Stripe.API_VERSION, Stripe.API_VERSION);
        }
        boolean stored = inbox.receive(event, payload, status, clock.instant());
        return HttpResponse.ok(new Received(true, !stored, status.name()));
    }
}
