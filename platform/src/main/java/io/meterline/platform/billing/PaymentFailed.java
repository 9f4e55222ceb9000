package io.meterline.platform.billing;

import io.micronaut.core.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Published inside the transaction that applied {@code invoice.payment_failed}; {@link PaymentFailedNotifier}
 * raises the alert and emails the admins once it committed.
 *
 * @param organizationId the organization whose invoice failed
 * @param invoiceId Stripe's {@code in_...}
 * @param subscriptionId the subscription it bills, null when it names none
 * @param amountDue what Stripe tried to collect
 * @param currency its currency (ISO, upper case)
 * @param attemptCount which attempt failed
 * @param nextPaymentAttempt when Stripe tries again, null when it will not
 */
public record PaymentFailed(long organizationId, String invoiceId, @Nullable String subscriptionId, BigDecimal amountDue, String currency, long attemptCount,
                            @Nullable Instant nextPaymentAttempt) {
}
