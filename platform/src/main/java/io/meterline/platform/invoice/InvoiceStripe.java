package io.meterline.platform.invoice;

import com.stripe.param.CreditNoteCreateParams;
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
import java.time.Clock;
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
 *
 * <p>Corrections reach Stripe the same way: a credit note that reduces what an open Stripe invoice owes, or refunds
 * what Stripe collected, becomes a Stripe credit note (idempotency key {@code meterline-credit-note-<id>}); voiding an
 * invoice Stripe collects voids Stripe's ({@code meterline-invoice-<id>-void}). Both are sent after our commit and
 * kept in an outbox (the credit note row without Stripe's id, the void invoice without {@code stripe_voided_at}) that
 * {@link #sendPending} sends again with the same keys, so a crash between our commit and Stripe's answer neither loses
 * nor doubles a refund. Stripe's {@code invoice.voided} and {@code invoice.marked_uncollectible} update ours.
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
    private final Clock clock;

    public InvoiceStripe(StripeGateway stripe, BillingService billing, InvoiceStore store, InvoiceService invoices, WebhookService webhooks,
                         @Named(TaskExecutors.BLOCKING) ExecutorService executor, Clock clock) {
        this.stripe = stripe;
        this.billing = billing;
        this.store = store;
        this.invoices = invoices;
        this.webhooks = webhooks;
        this.executor = executor;
        this.clock = clock;
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

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onStripeOwed(InvoiceService.StripeOwed owed) {
        if (!stripe.configured()) {
            return;
        }
        executor.execute(() -> {
            try (PropagatedContext.Scope ignored = PropagatedContext.empty().propagate()) {
                if (owed.creditNoteId() != null) {
                    sendCreditNote(owed.creditNoteId());
                }
                if (owed.voidedInvoiceId() != null) {
                    voidInStripe(owed.voidedInvoiceId());
                }
            }
        });
    }

    /**
     * Sends what Stripe does not have yet (a failed or interrupted send): finalized invoices, then credit notes, then
     * voids. The month close calls it.
     */
    public void sendPending() {
        if (stripe.configured()) {
            store.unsentToStripe().forEach(this::send);
            store.unsentCreditNotes(null).forEach(this::sendCreditNote);
            store.unvoidedInStripe().forEach(this::voidInStripe);
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
            // Credit notes issued before Stripe had the invoice waited for it.
            store.unsentCreditNotes(invoice.id()).forEach(this::sendCreditNote);
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

    /**
     * Creates a credit note's Stripe credit note on the Stripe invoice: a reduction of what it owes, or a refund of what
     * Stripe collected ({@code refund_amount}: Stripe refunds the payment). False when it failed (logged; {@link
     * #sendPending} retries with the same key) or there is nothing to send.
     */
    boolean sendCreditNote(long creditNoteId) {
        try {
            InvoiceStore.CreditNote note = store.creditNote(creditNoteId).orElseThrow();
            Invoice invoice = store.find(note.invoiceId()).orElseThrow();
            if (note.stripeCreditNoteId() != null || invoice.stripeInvoiceId() == null || note.settlement() == null) {
                return false;
            }
            long amount = minorUnits(note.amount(), invoice.currency());
            CreditNoteCreateParams.Builder params = CreditNoteCreateParams.builder()
                    .setInvoice(invoice.stripeInvoiceId())
                    .setAmount(amount)
                    .setMemo(note.number() + ": " + note.reason())
                    .putMetadata("meterline_credit_note_id", Long.toString(note.id()))
                    .putMetadata("meterline_credit_note_number", note.number());
            if (note.settlement() == CreditNoteSettlement.REFUND) {
                params.setRefundAmount(amount);
            }
            String stripeCreditNote = stripe.createCreditNote(params.build(), "meterline-credit-note-" + note.id());
            store.setStripeCreditNoteId(note.id(), stripeCreditNote);
            return true;
        }
        catch (RuntimeException e) {
            LOG.error("Credit note {} did not reach Stripe; the next month-close run retries", creditNoteId, e);
        }
        return false;
    }

    /** Voids Stripe's invoice of a void invoice of ours; false when it failed (logged; {@link #sendPending} retries with the same key). */
    boolean voidInStripe(long invoiceId) {
        try {
            Invoice invoice = store.find(invoiceId).orElseThrow();
            if (invoice.status() != InvoiceStatus.VOID || invoice.stripeInvoiceId() == null) {
                return false;
            }
            stripe.voidInvoice(invoice.stripeInvoiceId(), "meterline-invoice-" + invoice.id() + "-void");
            store.write(connection -> {
                store.setStripeVoided(connection, invoiceId, Instant.now(clock));
                return null;
            });
            return true;
        }
        catch (RuntimeException e) {
            LOG.error("Invoice {} was voided here but not yet in Stripe; the next month-close run retries", invoiceId, e);
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

    @Override
    public void voided(long invoiceId, String stripeInvoiceId) {
        if (ours(invoiceId, stripeInvoiceId) != null) {
            invoices.voidedInStripe(invoiceId);
        }
    }

    @Override
    public void markedUncollectible(long invoiceId, String stripeInvoiceId) {
        if (ours(invoiceId, stripeInvoiceId) != null) {
            invoices.uncollectibleInStripe(invoiceId);
        }
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
