package io.meterline.platform.invoice;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import io.meterline.platform.common.Money;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders an invoice as PDF (OpenPDF 2.0.5, the last line for Java 17) with the figures the API answers, as the API
 * formats them (plain decimals in the currency's minor unit), so the document and the API can be compared to the cent.
 */
@Singleton
public class InvoicePdf {

    private static final Font TITLE = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 16);
    private static final Font BOLD = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 9);
    private static final Font NORMAL = FontFactory.getFont(FontFactory.HELVETICA, 9);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;

    /** What a PDF shows: the invoice, its lines, their usage by feature, payments and credit notes. */
    public record Content(Invoice invoice, List<InvoiceLine> lines, List<InvoiceFeatureCharge> featureCharges, List<InvoiceStore.Payment> payments,
                          List<InvoiceStore.CreditNote> creditNotes) {
    }

    public byte[] render(Content content) {
        Invoice invoice = content.invoice();
        String currency = invoice.currency();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        Document document = new Document(PageSize.A4, 40, 40, 40, 40);
        try {
            PdfWriter.getInstance(document, out);
            document.addTitle("Invoice " + (invoice.number() == null ? "(draft)" : invoice.number()));
            document.open();
            document.add(new Paragraph(invoice.number() == null ? "DRAFT INVOICE" : "INVOICE " + invoice.number(), TITLE));
            document.add(new Paragraph("Status: " + invoice.status().name(), NORMAL));
            document.add(new Paragraph("Period: " + DAY.format(invoice.periodStart()) + " to " + DAY.format(invoice.periodEnd().minusDays(1)) + " ("
                    + invoice.timeZone() + ")", NORMAL));
            if (invoice.finalizedAt() != null) {
                document.add(new Paragraph("Issued: " + DAY.format(invoice.finalizedAt().atZone(ZoneId.of(invoice.timeZone())).toLocalDate()), NORMAL));
            }
            document.add(new Paragraph(" ", NORMAL));
            document.add(new Paragraph("BILL TO", BOLD));
            for (String line : billTo(invoice.billTo())) {
                document.add(new Paragraph(line, NORMAL));
            }
            document.add(new Paragraph(" ", NORMAL));

            PdfPTable lines = new PdfPTable(new float[] {5, 2, 1.4f, 2, 2});
            lines.setWidthPercentage(100);
            for (String header : List.of("Description", "Quantity", "Unit", "Unit price", "Amount " + currency)) {
                lines.addCell(cell(header, BOLD, Element.ALIGN_LEFT));
            }
            for (InvoiceLine line : content.lines()) {
                lines.addCell(cell(line.description(), NORMAL, Element.ALIGN_LEFT));
                lines.addCell(cell(InvoiceGraphQL.plain(line.quantity()).toPlainString(), NORMAL, Element.ALIGN_RIGHT));
                lines.addCell(cell(line.unit(), NORMAL, Element.ALIGN_LEFT));
                lines.addCell(cell(InvoiceGraphQL.plain(line.unitPrice()).toPlainString(), NORMAL, Element.ALIGN_RIGHT));
                lines.addCell(cell(amount(line.amount(), currency), NORMAL, Element.ALIGN_RIGHT));
            }
            document.add(lines);

            PdfPTable totals = new PdfPTable(new float[] {8, 2});
            totals.setWidthPercentage(100);
            total(totals, "Subtotal", amount(invoice.subtotal(), currency));
            String taxLabel = invoice.taxExempt() ? "Tax (exempt)"
                    : invoice.taxName() == null ? "Tax" : "Tax " + invoice.taxName() + " " + invoice.taxPercent().stripTrailingZeros().toPlainString() + " %";
            total(totals, taxLabel, amount(invoice.tax(), currency));
            total(totals, "Total " + currency, amount(invoice.total(), currency));
            total(totals, "Paid", amount(invoice.amountPaid(), currency));
            total(totals, "Credited", amount(invoice.amountCredited(), currency));
            total(totals, "Amount due " + currency, amount(invoice.amountDue(), currency));
            document.add(totals);

            if (!content.featureCharges().isEmpty()) {
                // A breakdown of the usage lines above, not more charges: its amounts add up to their total.
                document.add(new Paragraph(" ", NORMAL));
                document.add(new Paragraph("Usage by feature", BOLD));
                PdfPTable features = new PdfPTable(new float[] {6, 2, 2});
                features.setWidthPercentage(100);
                for (String header : List.of("Feature", "Share", "Amount " + currency)) {
                    features.addCell(cell(header, BOLD, Element.ALIGN_LEFT));
                }
                for (InvoiceFeatureCharge charge : content.featureCharges()) {
                    features.addCell(cell(charge.feature() == null ? "Unattributed" : charge.feature(), NORMAL, Element.ALIGN_LEFT));
                    features.addCell(cell(InvoiceGraphQL.plain(charge.share()).toPlainString(), NORMAL, Element.ALIGN_RIGHT));
                    features.addCell(cell(amount(charge.amount(), currency), NORMAL, Element.ALIGN_RIGHT));
                }
                document.add(features);
            }
            if (!content.payments().isEmpty()) {
                document.add(new Paragraph(" ", NORMAL));
                document.add(new Paragraph("PAYMENTS", BOLD));
                for (InvoiceStore.Payment payment : content.payments()) {
                    document.add(new Paragraph(DAY.format(payment.paidAt().atZone(ZoneId.of(invoice.timeZone())).toLocalDate()) + "  " + payment.method() + "  "
                            + payment.reference() + "  " + amount(payment.amount(), currency) + " " + currency, NORMAL));
                }
            }
            if (!content.creditNotes().isEmpty()) {
                document.add(new Paragraph(" ", NORMAL));
                document.add(new Paragraph("CREDIT NOTES", BOLD));
                for (InvoiceStore.CreditNote note : content.creditNotes()) {
                    document.add(new Paragraph(note.number() + "  " + settlement(note.settlement()) + "  " + note.reason() + "  " + amount(note.amount(), currency)
                            + " " + currency, NORMAL));
                }
            }
        }
        catch (DocumentException e) {
            throw new IllegalStateException("The invoice PDF could not be built", e);
        }
        finally {
            document.close();
        }
        return out.toByteArray();
    }

    /** The amount as the API's {@code Money.amount}: a plain decimal in the currency's minor unit. */
    static String amount(BigDecimal amount, String currency) {
        return Money.toMinorUnit(amount, currency).toPlainString();
    }

    private static List<String> billTo(BillTo billTo) {
        List<String> lines = new ArrayList<>();
        if (billTo == null) {
            lines.add("(no company details saved)");
            return lines;
        }
        lines.add(billTo.company());
        addIf(lines, billTo.contact());
        addIf(lines, billTo.addressLine1());
        addIf(lines, billTo.addressLine2());
        String place = String.join(" ", List.of(billTo.city() == null ? "" : billTo.city(), billTo.region() == null ? "" : billTo.region(),
                billTo.postalCode() == null ? "" : billTo.postalCode())).trim().replaceAll(" +", " ");
        addIf(lines, place.isEmpty() ? null : place);
        lines.add(billTo.country());
        addIf(lines, billTo.email());
        addIf(lines, billTo.phone());
        return lines;
    }

    private static void addIf(List<String> lines, String value) {
        if (value != null && !value.isBlank()) {
            lines.add(value);
        }
    }

    private static PdfPCell cell(String text, Font font, int alignment) {
        PdfPCell cell = new PdfPCell(new Phrase(text, font));
        cell.setHorizontalAlignment(alignment);
        cell.setPadding(3);
        return cell;
    }

    private static void total(PdfPTable table, String label, String amount) {
        PdfPCell name = cell(label, BOLD, Element.ALIGN_RIGHT);
        name.setBorder(0);
        PdfPCell value = cell(amount, BOLD, Element.ALIGN_RIGHT);
        value.setBorder(0);
        table.addCell(name);
        table.addCell(value);
    }

    /** How a credit note settled, as the PDF says it. */
    private static String settlement(@Nullable CreditNoteSettlement settlement) {
        if (settlement == null) {
            return "Credited";
        }
        return switch (settlement) {
            case REDUCE_AMOUNT_DUE -> "Amount due reduced";
            case REFUND -> "Refunded";
            case ACCOUNT_CREDIT -> "Credited to account";
        };
    }
}
