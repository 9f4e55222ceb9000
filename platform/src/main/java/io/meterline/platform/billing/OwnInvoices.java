package io.meterline.platform.billing;

import java.time.Instant;

/**
 * Meterline's own invoices as collected through Stripe: Stripe invoices created for them carry their id under
 * {@link #METADATA_KEY}, and Stripe's {@code invoice.paid}, {@code invoice.payment_failed}, {@code invoice.voided} and
 * {@code invoice.marked_uncollectible} of such an invoice are handed
 * here instead of being read as a subscription's (the invoice feature implements it; billing does not depend on it).
 */
public interface OwnInvoices {

    /** The Stripe invoice metadata key naming our invoice's row id. */
    String METADATA_KEY = "meterline_invoice_id";

    /** Stripe collected the invoice: {@code amountPaid} in the currency's minor unit. */
    void paid(long invoiceId, String stripeInvoiceId, long amountPaid, String currency, Instant paidAt);

    /** Stripe could not collect it (one call per failed attempt). */
    void paymentFailed(long invoiceId, String stripeInvoiceId, long attempt);

    /** Stripe's invoice was voided (by us, or in Stripe's dashboard). */
    void voided(long invoiceId, String stripeInvoiceId);

    /** Stripe gave up collecting it. */
    void markedUncollectible(long invoiceId, String stripeInvoiceId);
}
