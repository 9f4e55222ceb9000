package io.meterline.platform.budget;

import java.util.Optional;

/**
 * A check that may refuse a call before any budget is looked at: a bean implementing this answers
 * why a caller is refused, and authorization denies with that reason. {@code accountid.AccountIdGate}
 * refuses suspended and archived Account IDs.
 */
public interface CallerGate {

    /** Why the call must be refused, or empty to let budgets decide. */
    Optional<String> refusal(long organizationId, BudgetMeasure.Caller caller);
}
