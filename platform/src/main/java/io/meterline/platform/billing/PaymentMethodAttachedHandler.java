package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.PaymentMethod;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * {@code payment_method.attached}: the card on file the Billing page shows (brand and last four
 * digits). {@code customer.updated} names its default payment method only by id, without them, so it
 * is not applied here.
 */
@Singleton
public class PaymentMethodAttachedHandler implements StripeEventHandler {

    static final String ATTACHED = "payment_method.attached";

    private final BillingService billing;

    public PaymentMethodAttachedHandler(BillingService billing) {
        this.billing = billing;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(ATTACHED);
    }

    @Override
    public void apply(Event event) {
        PaymentMethod method = StripeEvents.object(event, PaymentMethod.class);
        if (method.getCustomer() == null || method.getCard() == null) {
            return;
        }
        billing.applyPaymentMethod(method.getCustomer(), method.getCard().getBrand(), method.getCard().getLast4());
    }
}
