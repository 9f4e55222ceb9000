package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.Invoice;
import io.meterline.platform.ledger.LedgerService;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code invoice.paid} of one of Meterline's own invoices (metadata {@code meterline_invoice_id}) records its payment
 * ({@link OwnInvoices}). {@code invoice.paid} of a renewal ({@code billing_reason: subscription_cycle}): the plan's tokens
 * reset for the new period, the old period's remainder expiring, once per invoice. The first
 * invoice of a subscription grants nothing here: the subscription event that put the organization
 * on the plan granted its allowance.
 */
@Singleton
public class InvoicePaidHandler implements StripeEventHandler {

    static final String PAID = "invoice.paid";
    static final String RENEWAL = "subscription_cycle";

    private static final Logger LOG = LoggerFactory.getLogger(InvoicePaidHandler.class);

    private final BillingStore store;
    private final LedgerService ledger;
    private final OwnInvoices ownInvoices;

    public InvoicePaidHandler(BillingStore store, LedgerService ledger, OwnInvoices ownInvoices) {
        this.store = store;
        this.ledger = ledger;
        this.ownInvoices = ownInvoices;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(PAID);
    }

    @Override
    public void apply(Event event) {
        Invoice invoice = StripeEvents.object(event, Invoice.class);
        Long own = ownInvoiceId(invoice);
        if (own != null) {
            ownInvoices.paid(own, invoice.getId(), invoice.getAmountPaid() == null ? 0 : invoice.getAmountPaid(),
                    invoice.getCurrency() == null ? "" : invoice.getCurrency().toUpperCase(java.util.Locale.ROOT), StripeEvents.created(event));
            return;
        }
        if (!RENEWAL.equals(invoice.getBillingReason())) {
            return;
        }
        Optional<Long> organization = renewedOrganization(store, invoice);
        if (organization.isEmpty()) {
            LOG.warn("Paid invoice {} of customer {} renews no subscription of ours: nothing granted", invoice.getId(), invoice.getCustomer());
            return;
        }
        if (!ledger.renewPlanAllowance(organization.get(), "stripe:invoice:" + invoice.getId())) {
            LOG.info("Invoice {} already renewed the allowance of organization {}", invoice.getId(), organization.get());
        }
    }

    /** The organization whose live stored subscription the invoice bills; empty for another customer's or another subscription's. */
    static Optional<Long> renewedOrganization(BillingStore store, Invoice invoice) {
        String subscriptionId = subscriptionId(invoice);
        if (invoice.getCustomer() == null || subscriptionId == null) {
            return Optional.empty();
        }
        return store.customerByStripeId(invoice.getCustomer()).map(BillingStore.CustomerRow::organizationId)
                .filter(organizationId -> store.subscription(organizationId)
                        .filter(row -> row.stripeSubscriptionId().equals(subscriptionId) && row.status().holdsPlan()).isPresent());
    }

    /** Our invoice's row id when the Stripe invoice collects one of Meterline's invoices (metadata {@link OwnInvoices#METADATA_KEY}); else null. */
    @Nullable
    static Long ownInvoiceId(Invoice invoice) {
        String value = invoice.getMetadata() == null ? null : invoice.getMetadata().get(OwnInvoices.METADATA_KEY);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException e) {
            return null;
        }
    }

    /** Since API version 2025-03-31 an invoice names its subscription under {@code parent.subscription_details}. */
    @Nullable
    static String subscriptionId(Invoice invoice) {
        if (invoice.getParent() == null || invoice.getParent().getSubscriptionDetails() == null) {
            return null;
        }
        return invoice.getParent().getSubscriptionDetails().getSubscription();
    }
}
