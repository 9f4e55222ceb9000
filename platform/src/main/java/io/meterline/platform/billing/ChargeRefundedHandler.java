package io.meterline.platform.billing;

import com.stripe.model.Charge;
import com.stripe.model.Event;
import io.meterline.platform.ledger.LedgerAccount;
import io.meterline.platform.ledger.LedgerEntryKind;
import io.meterline.platform.ledger.LedgerService;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code charge.refunded}: the money credits a refunded credit purchase bought leave the balance.
 * The charge states the refunded total so far ({@code amount_refunded}); the checkout row keeps the
 * total already applied, locked while deciding, so each event posts only what it adds (a partial
 * refund its part, a replayed or older event nothing). The entry is keyed by the charge and its new
 * total. Refunds of top-up tokens or subscriptions are logged, not taken back: tokens may be spent.
 */
@Singleton
public class ChargeRefundedHandler implements StripeEventHandler {

    static final String REFUNDED = "charge.refunded";

    private static final Logger LOG = LoggerFactory.getLogger(ChargeRefundedHandler.class);

    private final BillingStore store;
    private final LedgerService ledger;

    public ChargeRefundedHandler(BillingStore store, LedgerService ledger) {
        this.store = store;
        this.ledger = ledger;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(REFUNDED);
    }

    @Override
    public void apply(Event event) {
        Charge charge = StripeEvents.object(event, Charge.class);
        Optional<BillingStore.PaidCheckout> found = charge.getPaymentIntent() == null ? Optional.empty() : store.paidCheckoutForUpdate(charge.getPaymentIntent());
        if (found.isEmpty()) {
            LOG.warn("Refunded charge {} (PaymentIntent {}) paid no completed checkout of ours: nothing applied", charge.getId(), charge.getPaymentIntent());
            return;
        }
        BillingStore.PaidCheckout checkout = found.get();
        if (checkout.kind() != CheckoutKind.CREDITS) {
            LOG.warn("Charge {} of {} checkout {} (organization {}) was refunded: {} are not taken back automatically", charge.getId(), checkout.kind(),
                    checkout.stripeSessionId(), checkout.organizationId(), checkout.kind() == CheckoutKind.TOP_UP ? "top-up tokens" : "plans");
            return;
        }
        if (charge.getCurrency() == null || !checkout.currency().equals(charge.getCurrency().toUpperCase(Locale.ROOT))) {
            throw new IllegalStateException("Charge " + charge.getId() + " is in " + charge.getCurrency() + " but checkout " + checkout.stripeSessionId()
                    + " was sold in " + checkout.currency());
        }
        long refundedMinorUnits = charge.getAmountRefunded() == null ? 0 : charge.getAmountRefunded();
        // Never more than the purchase: a refund of more than we credited takes nothing else away.
        BigDecimal refundedTotal = StripeEvents.fromMinorUnits(refundedMinorUnits, checkout.currency()).min(checkout.amount());
        BigDecimal added = refundedTotal.subtract(checkout.refundedAmount());
        if (added.signum() <= 0) {
            LOG.info("Charge {}: refunded total {} {} already applied", charge.getId(), refundedTotal.toPlainString(), checkout.currency());
            return;
        }
        ledger.postSystemEntry(new LedgerService.SystemEntry(checkout.organizationId(), LedgerEntryKind.REFUND, LedgerAccount.CREDITS, added.negate(),
                checkout.currency(), "Refund of a credit purchase (" + added.toPlainString() + " " + checkout.currency() + ")",
                "stripe:charge:" + charge.getId() + ":refunded:" + refundedMinorUnits));
        store.updateRefunded(checkout.id(), refundedTotal);
    }
}
