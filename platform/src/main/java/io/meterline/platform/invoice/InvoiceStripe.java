package io.meterline.platform.invoice;

import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceItemCreateParams;
import io.meterline.platform.billing.BillingService;
import io.meterline.platform.billing.OwnInvoices;
import io.meterline.platform.billing.StripeGateway;
import io.meterline.platform.common.Money;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.webhook.WebhookEventTypes;
import io.meterline.platform.webhook.WebhookService;
import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our invoices collected through Stripe. Once an invoice with something to pay is finalized (after the commit, on the
 * blocking executor), it is created in Stripe: a draft invoice carrying our id in its metadata, one item per charged
 * line and one for the tax (so Stripe's total is ours to the cent), then finalized, so Stripe collects it. Every call's
 * idempotency key is made from our ids, so a retry (the next month-close run retries invoices left without a Stripe
 * id) never creates a second one. Stripe's {@code invoice.paid} records the payment; {@code invoice.payment_failed}
 * sends {@code invoice.payment_failed} to webhooks. Without Stripe, payments are recorded by hand.
 */
@Singleton
public class InvoiceStripe implements OwnInvoices {

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceStripe.class);

    private final StripeGateway stripe;
    private final BillingService billing;
    private final InvoiceStore store;
    private final InvoiceService invoices;
    private final WebhookService webhooks;
    private final ExecutorService executor;

    public InvoiceStripe(StripeGateway stripe, BillingService billing, InvoiceStore store, InvoiceService invoices, WebhookService webhooks,
                         @Named(TaskExecutors.BLOCKING) ExecutorService executor) {
        this.stripe = stripe;
        this.billing = billing;
        this.store = store;
        this.invoices = invoices;
        this.webhooks = webhooks;
        this.executor = executor;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onFinalized(InvoiceService.InvoiceFinalized finalized) {
        if (!stripe.configured()) {
            return;
        }
        executor.execute(() -> {
            // The executor carries the finalizing context, whose connection is closed by now: start from none.
            try (PropagatedContext.Scope ignored = PropagatedContext.empty().propagate()) {
                send(finalized.invoiceId());
            }
        });
    }

    /** Sends the finalized invoices Stripe does not have yet (a failed or interrupted send); the month close calls it. */
    public void sendPending() {
        if (stripe.configured()) {
            store.unsentToStripe().forEach(this::send);
        }
    }

    /** Creates the invoice in Stripe; false when it failed (logged; the next month-close run retries with the same keys). */
    boolean send(long invoiceId) {
        try {
            Invoice invoice = store.find(invoiceId).orElseThrow();
            if (invoice.status() != InvoiceStatus.OPEN || invoice.stripeInvoiceId() != null || invoice.total().signum() <= 0) {
                return false;
            }
            String currency = invoice.currency().toLowerCase(Locale.ROOT);
            String customer = billing.stripeCustomer(invoice.organizationId());
            String key = "meterline-invoice-" + invoice.id();
            String stripeInvoice = stripe.createInvoice(InvoiceCreateParams.builder()
                    .setCustomer(customer)
                    .setCurrency(currency)
                    .setCollectionMethod(InvoiceCreateParams.CollectionMethod.CHARGE_AUTOMATICALLY)
                    .setAutoAdvance(true)
                    .setPendingInvoiceItemsBehavior(InvoiceCreateParams.PendingInvoiceItemsBehavior.EXCLUDE)
                    .setDescription("Meterline invoice " + invoice.number() + ", " + invoice.periodStart() + " to " + invoice.periodEnd().minusDays(1))
                    .putMetadata(METADATA_KEY, Long.toString(invoice.id()))
                    .putMetadata("meterline_invoice_number", invoice.number())
                    .build(), key + "-create");
            List<InvoiceLine> lines = store.lines(invoice.id());
            for (int position = 0; position < lines.size(); position++) {
                InvoiceLine line = lines.get(position);
                if (line.amount().signum() != 0) {
                    item(customer, stripeInvoice, currency, minorUnits(line.amount(), invoice.currency()), line.description(), key + "-item-" + position);
                }
            }
            if (invoice.tax().signum() != 0) {
                item(customer, stripeInvoice, currency, minorUnits(invoice.tax(), invoice.currency()), "Tax " + invoice.taxName() + " "
                        + invoice.taxPercent().stripTrailingZeros().toPlainString() + " %", key + "-tax");
            }
            stripe.finalizeInvoice(stripeInvoice, key + "-finalize");
            store.setStripeInvoiceId(invoice.id(), stripeInvoice);
            return true;
        }
        catch (UserInputException e) {
            LOG.warn("Invoice {} was not created in Stripe ({}); the next month-close run retries", invoiceId, e.getMessage());
        }
        catch (RuntimeException e) {
            LOG.error("Invoice {} was not created in Stripe; the next month-close run retries", invoiceId, e);
        }
        return false;
    }

    private void item(String customer, String stripeInvoice, String currency, long amount, String description, String idempotencyKey) {
        stripe.createInvoiceItem(InvoiceItemCreateParams.builder().setCustomer(customer).setInvoice(stripeInvoice).setCurrency(currency).setAmount(amount)
                .setDescription(description).build(), idempotencyKey);
    }

    /** An amount as Stripe's integer of the currency's smallest unit. */
    static long minorUnits(BigDecimal amount, String currency) {
        return Money.toMinorUnit(amount, currency).movePointRight(Money.minorDigits(currency)).longValueExact();
    }

    /** Applied in the inbox's transaction, so a payment is recorded once however often Stripe sends the event. */
    @Override
    public void paid(long invoiceId, String stripeInvoiceId, long amountPaid, String currency, Instant paidAt) {
        Invoice invoice = ours(invoiceId, stripeInvoiceId);
        if (invoice == null || !invoice.currency().equals(currency)) {
            return;
        }
        BigDecimal amount = BigDecimal.valueOf(amountPaid).movePointLeft(Money.minorDigits(currency));
        if (amount.signum() > 0) {
            invoices.applyPayment(invoiceId, amount, "STRIPE", stripeInvoiceId, paidAt, "stripe", false);
        }
    }

    @Override
    public void paymentFailed(long invoiceId, String stripeInvoiceId, long attempt) {
        Invoice invoice = ours(invoiceId, stripeInvoiceId);
        if (invoice == null) {
            return;
        }
        Map<String, Object> data = new java.util.LinkedHashMap<>(InvoiceService.webhookData(invoice));
        data.put("attemptCount", attempt);
        webhooks.enqueue(invoice.organizationId(), WebhookEventTypes.INVOICE_PAYMENT_FAILED, data);
    }

    /** Our invoice, when the Stripe invoice is the one we created for it (the metadata alone is not trusted). */
    private Invoice ours(long invoiceId, String stripeInvoiceId) {
        Invoice invoice = store.find(invoiceId).orElse(null);
        if (invoice == null || !stripeInvoiceId.equals(invoice.stripeInvoiceId())) {
            LOG.warn("Stripe invoice {} names invoice {} of ours, which Stripe does not collect under that id: ignored", stripeInvoiceId, invoiceId);
            return null;
        }
        return invoice;
    }
}
