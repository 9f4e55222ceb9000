package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Locale;

/** Reading the verified events the inbox hands the handlers. */
final class StripeEvents {

    private StripeEvents() {
    }

    /**
     * The event's object. The inbox applies only events of stripe-java's own API version, so the
     * typed deserializer reads them; an empty or unexpected object is a defect worth a retry and,
     * in the end, a FAILED event an operator sees, never a guess from the raw JSON.
     */
    static <T extends StripeObject> T object(Event event, Class<T> type) {
        StripeObject object = event.getDataObjectDeserializer().getObject()
                .orElseThrow(() -> new IllegalStateException("Stripe event " + event.getId() + " (" + event.getType() + ", API version " + event.getApiVersion()
                        + ") has no object stripe-java can read"));
        if (!type.isInstance(object)) {
            throw new IllegalStateException("Stripe event " + event.getId() + " (" + event.getType() + ") holds a " + object.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(object);
    }

    /** When Stripe created the event: what orders the state it carries. */
    static Instant created(Event event) {
        return Instant.ofEpochSecond(event.getCreated() == null ? 0 : event.getCreated());
    }

    /** An amount in the currency's smallest unit (Stripe's integers) as a decimal amount of the currency. */
    static BigDecimal fromMinorUnits(long minorUnits, String currency) {
        int digits = Math.max(Currency.getInstance(currency.toUpperCase(Locale.ROOT)).getDefaultFractionDigits(), 0);
        return BigDecimal.valueOf(minorUnits).movePointLeft(digits).setScale(digits);
    }
}
