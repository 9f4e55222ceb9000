package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Set;

/**
 * {@code customer.subscription.created/updated/deleted}: the plan, status and period end, through
 * {@link BillingService#applySubscription}, which applies only state newer than what is stored (an
 * older {@code created} arriving after an {@code updated} changes nothing). Deleted means canceled:
 * the free baseline at once.
 */
@Singleton
public class SubscriptionEventHandler implements StripeEventHandler {

    static final String CREATED = "customer.subscription.created";
    static final String UPDATED = "customer.subscription.updated";
    static final String DELETED = "customer.subscription.deleted";

    private final BillingService billing;

    public SubscriptionEventHandler(BillingService billing) {
        this.billing = billing;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(CREATED, UPDATED, DELETED);
    }

    @Override
    public void apply(Event event) {
        Subscription subscription = StripeEvents.object(event, Subscription.class);
        if (subscription.getItems() == null || subscription.getItems().getData() == null || subscription.getItems().getData().isEmpty()
                || subscription.getItems().getData().get(0).getPrice() == null) {
            throw new IllegalStateException("Stripe subscription " + subscription.getId() + " in event " + event.getId() + " has no priced item");
        }
        // Our checkouts sell one price per subscription: its item holds the plan (and, since API 2025-03-31, the period).
        SubscriptionItem item = subscription.getItems().getData().get(0);
        String status = DELETED.equals(event.getType()) ? "canceled" : subscription.getStatus();
        billing.applySubscription(new BillingService.SubscriptionChange(subscription.getCustomer(), subscription.getId(), item.getId(), item.getPrice().getId(),
                status, item.getCurrentPeriodEnd() == null ? null : Instant.ofEpochSecond(item.getCurrentPeriodEnd()),
                Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd()), StripeEvents.created(event)));
    }
}
