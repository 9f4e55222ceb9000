package io.meterline.platform.budget;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of budget authorization ({@code meterline.budgets.*}; the default is in application.yml).
 *
 * @param maxHold the longest an authorization may hold budget room. A hold keeps its room from every
 *                other caller until usage settles it or it lapses, so a long hold on a HARD budget
 *                locks the organization out; a request asking for longer is refused, not shortened,
 *                so a gateway never believes it holds room it has lost
 */
@ConfigurationProperties("meterline.budgets")
public record BudgetConfiguration(Duration maxHold) {

    public BudgetConfiguration {
        Objects.requireNonNull(maxHold, "meterline.budgets.max-hold is not set");
        if (maxHold.toSeconds() < 1) {
            throw new IllegalArgumentException("meterline.budgets.max-hold is at least one second, got " + maxHold);
        }
    }

    /** The longest hold in whole seconds, the unit clients ask in. */
    public int maxHoldSeconds() {
        return (int) Math.min(Integer.MAX_VALUE, maxHold.toSeconds());
    }
}
