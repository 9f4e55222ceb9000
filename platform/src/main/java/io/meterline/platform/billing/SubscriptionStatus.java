package io.meterline.platform.billing;

import java.util.Locale;
import java.util.Optional;

/** A Stripe subscription's {@code status}, as Stripe states it. */
public enum SubscriptionStatus {
    TRIALING, ACTIVE, PAST_DUE, CANCELED, UNPAID, INCOMPLETE, INCOMPLETE_EXPIRED, PAUSED;

    /** Stripe's lower-case name ({@code past_due}); empty for a status this version does not know. */
    public static Optional<SubscriptionStatus> fromStripe(String status) {
        try {
            return Optional.of(valueOf(status.toUpperCase(Locale.ROOT)));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the subscription still holds the organization on its plan. A past-due or unpaid one
     * does until Stripe cancels it (its dunning settings decide when); an incomplete one never
     * started; a canceled, expired or paused one has ended.
     */
    public boolean holdsPlan() {
        return this == TRIALING || this == ACTIVE || this == PAST_DUE || this == UNPAID;
    }
}
