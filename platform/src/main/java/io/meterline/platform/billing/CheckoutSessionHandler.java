package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.checkout.Session;
import io.meterline.platform.ledger.LedgerAccount;
import io.meterline.platform.ledger.LedgerEntryKind;
import io.meterline.platform.ledger.LedgerService;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.text.NumberFormat;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Checkout Session paid (at once, or later for delayed methods such as bank debits) or its
 * delayed payment failed. What it sold is read from our {@code billing_checkout} row, never from the
 * session's metadata: a session we did not create credits nothing. A top-up or credit purchase
 * enters the ledger once, keyed by the session; a subscription checkout only completes (the
 * {@code customer.subscription.*} events set the plan).
 */
@Singleton
public class CheckoutSessionHandler implements StripeEventHandler {

    static final String COMPLETED = "checkout.session.completed";
    static final String ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded";
    static final String ASYNC_FAILED = "checkout.session.async_payment_failed";

    private static final Logger LOG = LoggerFactory.getLogger(CheckoutSessionHandler.class);

    private final BillingStore store;
    private final LedgerService ledger;
    private final Clock clock;

    public CheckoutSessionHandler(BillingStore store, LedgerService ledger, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED);
    }

    @Override
    public void apply(Event event) {
        Session session = StripeEvents.object(event, Session.class);
        Optional<BillingStore.CheckoutRow> found = store.checkout(session.getId());
        if (found.isEmpty()) {
            LOG.warn("Stripe event {} ({}) is about Checkout Session {}, which we did not create: nothing applied", event.getId(), event.getType(), session.getId());
            return;
        }
        BillingStore.CheckoutRow checkout = found.get();
        if (ASYNC_FAILED.equals(event.getType())) {
            if (store.fail(checkout.stripeSessionId())) {
                LOG.info("Checkout {} of organization {}: the delayed payment failed, nothing credited", checkout.stripeSessionId(), checkout.organizationId());
            }
            return;
        }
        // "unpaid": a delayed method (bank debit) still settling; async_payment_succeeded completes it later.
        boolean paid = "paid".equals(session.getPaymentStatus())
                || (checkout.kind() == CheckoutKind.SUBSCRIPTION && "no_payment_required".equals(session.getPaymentStatus()));
        if (!paid) {
            LOG.info("Checkout {} of organization {} is {}: nothing credited yet", checkout.stripeSessionId(), checkout.organizationId(), session.getPaymentStatus());
            return;
        }
        if (!store.complete(checkout.stripeSessionId(), session.getPaymentIntent(), clock.instant())) {
            // Completed by an earlier event (completed, then async_payment_succeeded), or failed before.
            return;
        }
        String sourceKey = "stripe:checkout:" + checkout.stripeSessionId();
        switch (checkout.kind()) {
            case TOP_UP -> ledger.postSystemEntry(new LedgerService.SystemEntry(checkout.organizationId(), LedgerEntryKind.PURCHASE, LedgerAccount.TOPUP_TOKENS,
                    BigDecimal.valueOf(checkout.tokens()), null, "Purchase of " + NumberFormat.getIntegerInstance(Locale.US).format(checkout.tokens())
                    + " top-up tokens (" + checkout.amount().toPlainString() + " " + checkout.currency() + ")", sourceKey));
            case CREDITS -> ledger.postSystemEntry(new LedgerService.SystemEntry(checkout.organizationId(), LedgerEntryKind.PURCHASE, LedgerAccount.CREDITS,
                    checkout.amount(), checkout.currency(), "Purchase of credits (" + checkout.amount().toPlainString() + " " + checkout.currency() + ")", sourceKey));
            case SUBSCRIPTION -> LOG.info("Subscription checkout {} of organization {} completed; the subscription events set the plan",
                    checkout.stripeSessionId(), checkout.organizationId());
        }
    }
}
