package io.meterline.platform.invoice;

import io.meterline.platform.notification.EmailSender;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emails a finalized invoice with its PDF to the billing email of the BILL TO block, once the finalizing transaction
 * committed. Best effort: the invoice is issued and downloadable whether or not the mail goes out.
 */
@Singleton
public class InvoiceMailer {

    private static final Logger LOG = LoggerFactory.getLogger(InvoiceMailer.class);

    private final InvoiceStore store;
    private final InvoiceDocuments documents;
    private final EmailSender emails;
    private final InvoiceConfiguration configuration;

    public InvoiceMailer(InvoiceStore store, InvoiceDocuments documents, EmailSender emails, InvoiceConfiguration configuration) {
        this.store = store;
        this.documents = documents;
        this.emails = emails;
        this.configuration = configuration;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onFinalized(InvoiceService.InvoiceFinalized finalized) {
        if (!configuration.emailInvoices()) {
            return;
        }
        Invoice invoice = store.find(finalized.invoiceId()).orElse(null);
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
