package io.meterline.platform.billing;

import com.stripe.model.Charge;
import com.stripe.model.Event;
import io.meterline.platform.ledger.LedgerAccount;
import io.meterline.platform.ledger.LedgerEntryKind;
import io.meterline.platform.ledger.LedgerService;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code charge.refunded}: what a refunded purchase bought leaves the balance. The charge states the
 * refunded total so far ({@code amount_refunded}); the checkout row keeps the total already applied,
 * locked while deciding, so each event takes back only what it adds (a partial refund its part, a
 * replayed or older event nothing), keyed by the charge and its new total. A credit purchase gives
 * back the refunded money; a top-up its refunded share of the tokens, at most the top-up tokens left
 * (tokens already used stay used). A subscription's refund is logged: its plan follows the
 * subscription's own events.
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
        if (checkout.kind() == CheckoutKind.SUBSCRIPTION) {
            LOG.warn("Charge {} of subscription checkout {} (organization {}) was refunded: the subscription's events decide its plan", charge.getId(),
                    checkout.stripeSessionId(), checkout.organizationId());
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
        String sourceKey = "stripe:charge:" + charge.getId() + ":refunded:" + refundedMinorUnits;
        String refund = added.toPlainString() + " " + checkout.currency();
        if (checkout.kind() == CheckoutKind.CREDITS) {
            ledger.postSystemEntry(new LedgerService.SystemEntry(checkout.organizationId(), LedgerEntryKind.REFUND, LedgerAccount.CREDITS, added.negate(),
                    checkout.currency(), "Refund of a credit purchase (" + refund + ")", sourceKey));
        }
        else {
            long tokens = Objects.requireNonNull(checkout.tokens(), "a top-up checkout has tokens");
            // The refunded share of the pack, as a difference of two floors, so partial refunds add up to the whole pack.
            long share = tokenShare(tokens, refundedTotal, checkout.amount()) - tokenShare(tokens, checkout.refundedAmount(), checkout.amount());
            long taken = ledger.takeBackTopUpTokens(checkout.organizationId(), share, "Refund of a top-up (" + refund + "): "
                    + NumberFormat.getIntegerInstance(Locale.US).format(share) + " tokens taken back, at most those left", sourceKey);
            if (taken < share) {
                LOG.warn("Top-up checkout {} (organization {}) refunded {}: {} of its {} tokens were already used and stay used", checkout.stripeSessionId(),
                        checkout.organizationId(), refund, share - taken, share);
            }
        }
        store.updateRefunded(checkout.id(), refundedTotal);
    }

    /** The whole tokens a refunded amount pays for, of a pack of {@code tokens} sold for {@code amount}. */
    static long tokenShare(long tokens, BigDecimal refunded, BigDecimal amount) {
        return BigDecimal.valueOf(tokens).multiply(refunded).divide(amount, 0, RoundingMode.FLOOR).longValueExact();
    }
}
