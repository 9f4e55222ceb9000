package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.net.Webhook;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the inbox's due Stripe events on every instance: each run claims a batch (a lease the other
 * instances respect), applies each event with its {@link StripeEventHandler} in one transaction with
 * the row that marks it applied, and on failure keeps it for a retry after the configured backoff
 * until the attempts run out (FAILED, with the error's class only). A crash mid-run only delays an
 * event until its lease ends; the transaction makes the effect happen once.
 */
@Singleton
public class StripeEventWorker {

    private static final Logger LOG = LoggerFactory.getLogger(StripeEventWorker.class);

    private final StripeInbox inbox;
    private final StripeWebhookConfiguration configuration;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final Map<String, StripeEventHandler> handlers = new HashMap<>();

    public StripeEventWorker(StripeInbox inbox, StripeWebhookConfiguration configuration, TransactionOperations<Connection> transactions, Clock clock,
                             List<StripeEventHandler> handlers) {
        this.inbox = inbox;
        this.configuration = configuration;
        this.transactions = transactions;
        this.clock = clock;
        for (StripeEventHandler handler : handlers) {
            for (String type : handler.eventTypes()) {
                StripeEventHandler earlier = this.handlers.put(type, handler);
                if (earlier != null) {
                    throw new IllegalStateException("Two handlers apply Stripe event " + type + ": " + earlier.getClass().getName() + " and "
                            + handler.getClass().getName());
                }
            }
        }
    }

    @Scheduled(fixedDelay = "${meterline.stripe.webhook.work-interval}", initialDelay = "${meterline.stripe.webhook.work-interval}")
    void scheduled() {
        try {
            work();
        }
        catch (RuntimeException e) {
            LOG.error("Applying Stripe events failed; the next run tries again", e);
        }
    }

    /** One run: applies every event due now that this instance claims. @return how many it applied or ignored */
    public int work() {
        Instant now = clock.instant();
        int settled = 0;
        for (long id : inbox.claim(configuration.batchSize(), now, now.plus(configuration.lease()))) {
            Optional<StripeInbox.Stored> stored = inbox.find(id);
            if (stored.isPresent() && apply(stored.get())) {
                settled++;
            }
        }
        return settled;
    }

    private boolean apply(StripeInbox.Stored stored) {
        int attempt = stored.attemptCount() + 1;
        StripeEventHandler handler = handlers.get(stored.eventType());
        try {
            transactions.executeWrite(status -> {
                if (handler != null) {
                    // Verified when it was received; read again from what was stored.
                    Event event = Webhook.constructEventWithoutVerification(stored.payload());
                    handler.apply(event);
                }
                inbox.settle(stored.id(), handler == null ? StripeEventStatus.IGNORED : StripeEventStatus.APPLIED, attempt, clock.instant());
                return null;
            });
            return true;
        }
        catch (RuntimeException e) {
            Instant next = attempt >= configuration.maxAttempts() ? null : clock.instant().plus(configuration.backoffAfter(attempt));
            LOG.warn("Stripe event {} ({}) failed on attempt {}{}", stored.eventId(), stored.eventType(), attempt, next == null ? ", given up" : "", e);
            inbox.failed(stored.id(), attempt, next, e.getClass().getSimpleName());
            return false;
        }
    }
}
