package io.meterline.platform.billing;

import com.stripe.model.Event;
import com.stripe.model.Invoice;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.webhook.WebhookEventTypes;
import io.meterline.platform.webhook.WebhookService;
import io.micronaut.context.event.ApplicationEventPublisher;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code invoice.payment_failed} of one of Meterline's own invoices goes to {@link OwnInvoices}. Otherwise: the subscription is past due (set on our row, since the event
 * carries the invoice, not the subscription), a {@code billing.payment_failed} webhook event is
 * written to the outbox in this same transaction, and once it commits an alert is raised and the
 * organization's admins are emailed ({@link PaymentFailedNotifier}). Stripe sends one event per
 * failed attempt, each its own event id: each is reported.
 */
@Singleton
public class InvoicePaymentFailedHandler implements StripeEventHandler {

    static final String PAYMENT_FAILED = "invoice.payment_failed";

    private static final Logger LOG = LoggerFactory.getLogger(InvoicePaymentFailedHandler.class);

    private final BillingStore store;
    private final WebhookService webhooks;
    private final ApplicationEventPublisher<PaymentFailed> published;
    private final Clock clock;
    private final OwnInvoices ownInvoices;

    public InvoicePaymentFailedHandler(BillingStore store, WebhookService webhooks, ApplicationEventPublisher<PaymentFailed> published, Clock clock,
                                       OwnInvoices ownInvoices) {
        this.store = store;
        this.webhooks = webhooks;
        this.published = published;
        this.clock = clock;
        this.ownInvoices = ownInvoices;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(PAYMENT_FAILED);
    }

    @Override
    public void apply(Event event) {
        Invoice invoice = StripeEvents.object(event, Invoice.class);
        Long own = InvoicePaidHandler.ownInvoiceId(invoice);
        if (own != null) {
            // One of our invoices, not the subscription's: the subscription is not past due for it.
            ownInvoices.paymentFailed(own, invoice.getId(), invoice.getAttemptCount() == null ? 0 : invoice.getAttemptCount());
            return;
        }
        Optional<BillingStore.CustomerRow> customer = invoice.getCustomer() == null ? Optional.empty() : store.customerByStripeId(invoice.getCustomer());
        if (customer.isEmpty()) {
            LOG.warn("Failed invoice {} belongs to customer {}, which no organization has: nothing applied", invoice.getId(), invoice.getCustomer());
            return;
        }
        long organizationId = customer.get().organizationId();
        String subscriptionId = InvoicePaidHandler.subscriptionId(invoice);
        if (subscriptionId != null && !store.markPastDue(organizationId, subscriptionId, StripeEvents.created(event), clock.instant())) {
            LOG.info("Failed invoice {}: subscription {} of organization {} is not active here or newer state is stored; status left", invoice.getId(),
                    subscriptionId, organizationId);
        }
        String currency = invoice.getCurrency() == null ? "" : invoice.getCurrency().toUpperCase(Locale.ROOT);
        PaymentFailed failed = new PaymentFailed(organizationId, invoice.getId(), subscriptionId,
                StripeEvents.fromMinorUnits(invoice.getAmountDue() == null ? 0 : invoice.getAmountDue(), currency), currency,
                invoice.getAttemptCount() == null ? 0 : invoice.getAttemptCount(),
                invoice.getNextPaymentAttempt() == null ? null : Instant.ofEpochSecond(invoice.getNextPaymentAttempt()));
        webhooks.enqueue(organizationId, WebhookEventTypes.BILLING_PAYMENT_FAILED, webhookData(failed));
        published.publishEvent(failed);
    }

    private static Map<String, Object> webhookData(PaymentFailed failed) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("organizationId", GlobalId.encode(TenantScope.ORGANIZATION_TYPE, failed.organizationId()));
        data.put("invoiceId", failed.invoiceId());
        data.put("subscriptionId", failed.subscriptionId());
        data.put("amountDue", Map.of("amount", failed.amountDue().toPlainString(), "currencyCode", failed.currency()));
        data.put("attemptCount", failed.attemptCount());
        data.put("nextPaymentAttempt", failed.nextPaymentAttempt() == null ? null : failed.nextPaymentAttempt().toString());
        return data;
    }
}
