package io.meterline.platform.invoice;

/**
 * How a credit note settles what it corrects. An open invoice's amount due can only be reduced; what a paid invoice
 * received can only be refunded or credited: a wrong combination is {@link InvoiceErrorCode#INVALID_STATE}.
 */
public enum CreditNoteSettlement {
    /** An open invoice owes less (in Stripe too: a Stripe credit note on the open Stripe invoice). */
    REDUCE_AMOUNT_DUE,
    /** Money a paid invoice received goes back (a negative REFUND payment): Stripe refunds what it collected, the rest is paid back by hand. */
    REFUND,
    /** Money a paid invoice received becomes CREDITS in the organization's ledger (a CREDIT_NOTE entry). */
    ACCOUNT_CREDIT;

    /** The stored kind the API has shown since credit notes exist: {@code REDUCE_DUE} or {@code CREDIT_PAID}. */
    String kind() {
        return this == REDUCE_AMOUNT_DUE ? "REDUCE_DUE" : "CREDIT_PAID";
    }
}
