package io.meterline.platform.webhook;

import java.util.List;

/** The event types endpoints can subscribe to: the one list to extend when a feature sends a new kind. */
public final class WebhookEventTypes {

    /** A budget crossed one of its alert thresholds. */
    public static final String BUDGET_THRESHOLD = "budget.threshold";
    /** A prepaid balance fell below its low mark. */
    public static final String BALANCE_LOW = "balance.low";
    /** An hour of an organization's usage was unusual for it (see the insight room's anomaly check). */
    public static final String USAGE_ANOMALY = "usage.anomaly";
    /** Stripe could not collect an invoice of the organization's subscription (it is past due now). */
    public static final String BILLING_PAYMENT_FAILED = "billing.payment_failed";

    /** A month's usage report became COMPLETED (its month ended and the grace period passed): its figures are final. */
    public static final String REPORT_COMPLETED = "report.completed";
    /** The totals of an organization's local day, sent after its local midnight. */
    public static final String USAGE_DAILY_SUMMARY = "usage.daily_summary";
    /** An invoice was finalized: numbered, with its lines, tax and total (issue 17). */
    public static final String INVOICE_FINALIZED = "invoice.finalized";
    /** An invoice was settled: payments (recorded by hand or from Stripe) and credit notes cover its total. */
    public static final String INVOICE_PAID = "invoice.paid";
    /** Stripe could not collect one of our invoices (metadata meterline_invoice_id). */
    public static final String INVOICE_PAYMENT_FAILED = "invoice.payment_failed";
    /** An invoice was voided: by {@code invoiceVoid} (which reissues its period), or in Stripe's dashboard. */
    public static final String INVOICE_VOIDED = "invoice.voided";
    /** A credit note corrected an invoice; its data names the note, its amount and how it settles (reduced, refunded, credited). */
    public static final String INVOICE_CREDIT_NOTE_CREATED = "invoice.credit_note_created";

    /** Every known type, in the order the API lists them. */
    public static final List<String> KNOWN = List.of(BUDGET_THRESHOLD, BALANCE_LOW, USAGE_ANOMALY, BILLING_PAYMENT_FAILED, REPORT_COMPLETED,
            USAGE_DAILY_SUMMARY, INVOICE_FINALIZED, INVOICE_PAID, INVOICE_PAYMENT_FAILED, INVOICE_VOIDED, INVOICE_CREDIT_NOTE_CREATED);

    private WebhookEventTypes() {
    }

    public static boolean isKnown(String type) {
        return KNOWN.contains(type);
    }
}
