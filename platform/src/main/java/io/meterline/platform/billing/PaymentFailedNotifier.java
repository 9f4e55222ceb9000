package io.meterline.platform.billing;

import io.meterline.platform.security.User;
import io.meterline.platform.security.UserRepository;
import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.alert.AlertService;
import io.meterline.platform.mail.EmailSender;
import io.meterline.platform.security.Role;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people about a failed subscription payment once the transaction that applied it committed
 * (nothing if it rolled back and will be retried): an alert (stored once per invoice attempt, shown
 * live and emailed to the alert address like any alert) and an email to each of the organization's
 * admins, who are the ones able to fix the card. Both are best effort: the past-due status and the
 * webhook event are already committed.
 */
@Singleton
public class PaymentFailedNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentFailedNotifier.class);

    private final ApplicationEventPublisher<AlertRequest> alerts;
    private final UserRepository users;
    private final EmailSender emails;

    public PaymentFailedNotifier(ApplicationEventPublisher<AlertRequest> alerts, UserRepository users, EmailSender emails) {
        this.alerts = alerts;
        this.users = users;
        this.emails = emails;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onCommitted(PaymentFailed failed) {
        String message = "Stripe could not collect " + failed.amountDue().toPlainString() + " " + failed.currency() + " for invoice " + failed.invoiceId()
                + " (attempt " + failed.attemptCount() + "). The subscription is past due: update the payment method in the Billing Portal"
                + (failed.nextPaymentAttempt() == null ? "." : "; Stripe tries again at " + failed.nextPaymentAttempt() + ".");
        try {
            alerts.publishEvent(new AlertRequest(failed.organizationId(), AlertService.PAYMENT_FAILED, "CRITICAL",
                    "payment-failed:" + failed.invoiceId() + ":" + failed.attemptCount(), "Subscription payment", message, data(failed)));
        }
        catch (RuntimeException e) {
            LOG.warn("Raising the payment-failed alert of invoice {} failed", failed.invoiceId(), e);
        }
        for (User admin : users.findByOrganizationIdAndRoleOrderById(failed.organizationId(), Role.ORG_ADMIN)) {
            try {
                emails.send(admin.email(), "[Meterline] Payment failed: your subscription is past due", message);
            }
            catch (RuntimeException e) {
                LOG.warn("Could not email {} about failed invoice {}", admin.email(), failed.invoiceId(), e);
            }
        }
    }

    private static Map<String, Object> data(PaymentFailed failed) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("invoiceId", failed.invoiceId());
        if (failed.subscriptionId() != null) {
            data.put("subscriptionId", failed.subscriptionId());
        }
        data.put("amountDue", failed.amountDue().toPlainString());
        data.put("currency", failed.currency());
        data.put("attemptCount", failed.attemptCount());
        if (failed.nextPaymentAttempt() != null) {
            data.put("nextPaymentAttempt", failed.nextPaymentAttempt().toString());
        }
        return data;
    }
}
