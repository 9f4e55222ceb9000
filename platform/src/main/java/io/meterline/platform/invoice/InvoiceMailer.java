package io.meterline.platform.invoice;

import io.meterline.platform.mail.EmailSender;
import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emails a finalized invoice with its PDF to the billing email of the BILL TO block, once the finalizing transaction
 * committed, on the blocking executor (a month close of many organizations never waits for SMTP). Best effort: the
 * invoice is issued and downloadable whether or not the mail goes out.
 */
@Singleton
public class InvoiceMailer {

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceMailer.class);

    private final InvoiceStore store;
    private final InvoiceDocuments documents;
    private final EmailSender emails;
    private final InvoiceConfiguration configuration;
    private final ExecutorService executor;

    public InvoiceMailer(InvoiceStore store, InvoiceDocuments documents, EmailSender emails, InvoiceConfiguration configuration,
                         @Named(TaskExecutors.BLOCKING) ExecutorService executor) {
        this.store = store;
        this.documents = documents;
        this.emails = emails;
        this.configuration = configuration;
        this.executor = executor;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onFinalized(InvoiceService.InvoiceFinalized finalized) {
        if (!configuration.emailInvoices()) {
            return;
        }
        executor.execute(() -> {
            // The executor carries the finalizing context, whose connection is closed by now: start from none.
            try (PropagatedContext.Scope ignored = PropagatedContext.empty().propagate()) {
                send(finalized.invoiceId());
            }
        });
    }

    private void send(long invoiceId) {
        Invoice invoice = store.find(invoiceId).orElse(null);
        if (invoice == null || invoice.billTo() == null || invoice.billTo().email() == null) {
            return;
        }
        String total = InvoicePdf.amount(invoice.total(), invoice.currency()) + " " + invoice.currency();
        try {
            emails.send(invoice.billTo().email(), "[Meterline] Invoice " + invoice.number() + " for " + invoice.periodStart().toString().substring(0, 7),
                    "Your invoice " + invoice.number() + " for " + invoice.periodStart() + " to " + invoice.periodEnd().minusDays(1) + " is attached.\n\nTotal: "
                            + total + "\nAmount due: " + InvoicePdf.amount(invoice.amountDue(), invoice.currency()) + " " + invoice.currency() + "\n",
                    new EmailSender.Attachment(invoice.number() + ".pdf", "application/pdf", documents.pdf(invoice)));
        }
        catch (RuntimeException e) {
            LOG.warn("Could not email invoice {} to {}", invoice.number(), invoice.billTo().email(), e);
        }
    }
}
