package io.meterline.platform.billing;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import java.util.List;

/** Billing's user errors that more than one class raises. */
final class BillingErrors {

    private BillingErrors() {
    }

    /** No Stripe secret key: checked before anything is read from or written to Stripe or the database. */
    static UserInputException notConfigured() {
        return of(BillingErrorCode.BILLING_NOT_CONFIGURED, "Payments are not set up on this Meterline server (no Stripe key is configured),"
                + " so nothing can be bought here. Your plan, usage and balances still work; ask the operator to set METERLINE_STRIPE_SECRET_KEY.");
    }

    /** An error about the request as a whole, not one input field. */
    static UserInputException of(BillingErrorCode code, String message) {
        return new UserInputException(new UserError(List.of(), message, code));
    }

    /** An error about one field of the mutation's input. */
    static UserInputException field(String inputField, BillingErrorCode code, String message) {
        return new UserInputException(UserError.of(inputField, code, message));
    }
}
