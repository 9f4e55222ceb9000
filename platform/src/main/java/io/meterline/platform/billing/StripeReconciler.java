package io.meterline.platform.billing;

import com.stripe.Stripe;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what a webhook outage missed: every {@code meterline.stripe.webhook.reconcile-interval} it
 * lists Stripe's events created since the newest one the inbox holds (less
 * {@code reconcile-overlap}, since Stripe delivers out of order; on an empty inbox, the last
 * {@code reconcile-lookback}) and stores those the inbox lacks, exactly as the webhook would have: the
 * worker applies them. Events the inbox has are skipped by their id, so running it on several
 * instances at once, or over a period it already read, changes nothing.
 */
@Singleton
public class StripeReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(StripeReconciler.class);

    private final StripeGateway stripe;
    private final StripeInbox inbox;
    private final StripeWebhookConfiguration configuration;
    private final Clock clock;

    public StripeReconciler(StripeGateway stripe, StripeInbox inbox, StripeWebhookConfiguration configuration, Clock clock) {
        this.stripe = stripe;
        this.inbox = inbox;
        this.configuration = configuration;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = "${meterline.stripe.webhook.reconcile-interval}", initialDelay = "${meterline.stripe.webhook.reconcile-interval}")
    void scheduled() {
        if (!stripe.configured()) {
            return;
        }
        try {
            int stored = reconcile();
            if (stored > 0) {
                LOG.warn("Stripe reconciliation stored {} events the webhook had not delivered", stored);
            }
        }
        catch (StripeException | RuntimeException e) {
            LOG.error("Stripe reconciliation failed; the next run tries again", e);
        }
    }

    /** One run. @return how many events it stored that the inbox lacked */
    public int reconcile() throws StripeException {
        Instant now = clock.instant();
        Instant since = inbox.newestCreated().map(newest -> newest.minus(configuration.reconcileOverlap()))
                .orElse(now.minus(configuration.reconcileLookback()));
        List<Event> events = stripe.eventsCreatedAfter(since.getEpochSecond() - 1);
        int stored = 0;
        for (Event event : events.stream().sorted(Comparator.comparing(Event::getCreated, Comparator.nullsFirst(Comparator.naturalOrder()))).toList()) {
            if (event.getId() == null || event.getType() == null) {
                continue;
            }
            StripeEventStatus status = Stripe.API_VERSION.equals(event.getApiVersion()) ? StripeEventStatus.PENDING : StripeEventStatus.VERSION_MISMATCH;
            if (inbox.receive(event, event.toJson(), status, now)) {
                stored++;
            }
        }
        return stored;
    }
}
