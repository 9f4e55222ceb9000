package io.meterline.platform.billing;

import com.stripe.model.Event;
import java.util.Set;

/**
 * Applies one kind of Stripe event (a completed checkout, a subscription change, a paid invoice). The
 * inbox worker calls {@link #apply} inside the transaction that marks the event applied, so its
 * writes happen exactly once however often Stripe sends the event; throwing rolls them back and the
 * event is tried again after a backoff. Events of one object may arrive out of order: a handler
 * compares {@link Event#getCreated()} with what it stored, so an older event never undoes newer state.
 */
public interface StripeEventHandler {

    /** The event types this handler applies, such as {@code checkout.session.completed}. */
    Set<String> eventTypes();

    /** Applies a verified event; the caller's transaction commits it together with the inbox row. */
    void apply(Event event);
}
