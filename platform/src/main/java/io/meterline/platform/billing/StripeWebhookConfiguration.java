package io.meterline.platform.billing;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Stripe's webhook endpoint and the inbox worker ({@code meterline.stripe.webhook.*}; defaults in application.yml).
 *
 * @param signingSecret the endpoint's signing secret ({@code whsec_...}) from Stripe's dashboard; empty refuses every webhook
 * @param tolerance how old a signed timestamp may be (Stripe's own default is 300 s): older is a replay
 * @param workInterval pause between two runs of the inbox worker
 * @param batchSize events one run claims at a time
 * @param lease how long a claimed event is hidden from the other instances' workers
 * @param maxAttempts attempts before an event is given up as FAILED
 * @param backoff wait after the 1st, 2nd, ... failed attempt (the last one repeats)
 * @param reconcileInterval pause between two reconciliation runs, which list Stripe's events to store what webhooks missed
 * @param reconcileOverlap how far before the newest stored event a run starts reading (Stripe delivers out of order)
 * @param reconcileLookback how far back a run reads while the inbox is empty (Stripe keeps events 30 days)
 */
@ConfigurationProperties("meterline.stripe.webhook")
public record StripeWebhookConfiguration(@Nullable String signingSecret, Duration tolerance, Duration workInterval, int batchSize, Duration lease,
                                         int maxAttempts, List<Duration> backoff, Duration reconcileInterval, Duration reconcileOverlap,
                                         Duration reconcileLookback) {

    public StripeWebhookConfiguration {
        Objects.requireNonNull(tolerance, "meterline.stripe.webhook.tolerance is not set");
        Objects.requireNonNull(lease, "meterline.stripe.webhook.lease is not set");
        Objects.requireNonNull(reconcileOverlap, "meterline.stripe.webhook.reconcile-overlap is not set");
        Objects.requireNonNull(reconcileLookback, "meterline.stripe.webhook.reconcile-lookback is not set");
        if (backoff == null || backoff.isEmpty()) {
            throw new IllegalArgumentException("meterline.stripe.webhook.backoff needs at least one duration");
        }
        if (maxAttempts < 1 || batchSize < 1) {
            throw new IllegalArgumentException("meterline.stripe.webhook.max-attempts and batch-size are at least 1");
        }
        backoff = List.copyOf(backoff);
    }

    /** Whether webhooks can be verified: without the secret every one is refused. */
    public boolean configured() {
        return signingSecret != null && !signingSecret.isBlank();
    }

    /** The wait after a failed attempt, numbered from 1. */
    public Duration backoffAfter(int attempt) {
        return backoff.get(Math.min(attempt, backoff.size()) - 1);
    }
}
