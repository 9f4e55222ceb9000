package io.meterline.platform.budget;

import java.util.Optional;

/**
 * A check that may refuse a call before any budget is looked at. The seam for Account ID
 * suspension (a later issue): a bean implementing this answers why a suspended caller is refused,
 * and authorization denies with that reason. None is installed yet.
 */
public interface CallerGate {

    /** Why the call must be refused, or empty to let budgets decide. */
    Optional<String> refusal(long organizationId, BudgetMeasure.Caller caller);
}
