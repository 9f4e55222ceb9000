package io.meterline.platform.invoice;

import jakarta.inject.Singleton;
import java.util.List;

/** An invoice's PDF from what is stored: the same figures the API answers. */
@Singleton
public class InvoiceDocuments {

    private final InvoiceStore store;
    private final InvoicePdf pdf;

    public InvoiceDocuments(InvoiceStore store, InvoicePdf pdf) {
        this.store = store;
        this.pdf = pdf;
    }

    public byte[] pdf(Invoice invoice) {
        return pdf.render(new InvoicePdf.Content(invoice, store.lines(invoice.id()), store.featureCharges(List.of(invoice.id())).getOrDefault(invoice.id(), List.of()),
                store.payments(invoice.id()), store.creditNotes(invoice.id())));
    }
}
