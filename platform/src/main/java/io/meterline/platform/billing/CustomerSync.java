package io.meterline.platform.billing;

import io.meterline.platform.common.UserInputException;
import io.meterline.platform.profile.CompanyDetailsSaved;
import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends saved BILL TO details to the Stripe customer after the save commits, on the blocking
 * executor: saving the company details never waits for Stripe (nor fails with it). Should Stripe
 * fail, the stored fingerprint stays the old one, so the next Stripe action sends them again.
 */
@Singleton
public class CustomerSync {

    private static final Logger LOG = LoggerFactory.getLogger(CustomerSync.class);

    private final BillingService billing;
    private final ExecutorService executor;

    public CustomerSync(BillingService billing, @Named(TaskExecutors.BLOCKING) ExecutorService executor) {
        this.billing = billing;
        this.executor = executor;
    }

    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onSaved(CompanyDetailsSaved event) {
        executor.execute(() -> {
            // The executor carries the saving request's context, whose connection is closed by now: start from none.
            try (PropagatedContext.Scope ignored = PropagatedContext.empty().propagate()) {
                billing.syncCustomer(event.organizationId());
            }
            catch (UserInputException e) {
                LOG.warn("The Stripe customer of organization {} was not updated ({}); the next Stripe action retries", event.organizationId(), e.getMessage());
            }
            catch (RuntimeException e) {
                LOG.error("The Stripe customer of organization {} was not updated; the next Stripe action retries", event.organizationId(), e);
            }
        });
    }
}
