package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.Invoice;
import jakarta.inject.Singleton;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code invoice.voided} and {@code invoice.marked_uncollectible} of one of Meterline's own invoices go to
 * {@link OwnInvoices}, which decides from our invoice's status (a paid one is never undone by a late event). Those of a
 * subscription's invoice change nothing here: the subscription's own events decide its plan. Either way the inbox
 * records the event as applied.
 */
@Singleton
public class InvoiceClosedHandler implements StripeEventHandler {

    static final String VOIDED = "invoice.voided";
    static final String MARKED_UNCOLLECTIBLE = "invoice.marked_uncollectible";

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceClosedHandler.class);

    private final OwnInvoices ownInvoices;

    public InvoiceClosedHandler(OwnInvoices ownInvoices) {
        this.ownInvoices = ownInvoices;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(VOIDED, MARKED_UNCOLLECTIBLE);
    }

    @Override
    public void apply(Event event) {
        Invoice invoice = StripeEvents.object(event, Invoice.class);
        Long own = InvoicePaidHandler.ownInvoiceId(invoice);
        if (own == null) {
            LOG.info("Stripe event {} of invoice {} (customer {}) is no invoice of ours: nothing applied", event.getType(), invoice.getId(), invoice.getCustomer());
            return;
        }
        if (VOIDED.equals(event.getType())) {
            ownInvoices.voided(own, invoice.getId());
        }
        else {
            ownInvoices.markedUncollectible(own, invoice.getId());
        }
    }
}
