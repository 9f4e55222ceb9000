package io.meterline.platform.budget;

import io.micronaut.core.annotation.Nullable;
import io.meterline.platform.common.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * Where a budget stands in its current period.
 *
 * @param budgetId the budget
 * @param consumed recorded usage counted in the period
 * @param limit the limit, null for unlimited
 * @param remaining the limit less consumption and holds, never below 0 ({@link Budget#remaining}), null for unlimited
 * @param reserved what unsettled, unexpired authorizations hold
 * @param percent consumption in percent of the limit (2 decimals), null for unlimited
 * @param band the colour band of the percent, null for unlimited
 * @param periodStart the start of the current period
 * @param resetsAt when the next period starts, null when the budget never resets
 * @param currency the currency of a COST budget's figures, null for other metrics
 */
public record BudgetStatus(long budgetId, BigDecimal consumed, @Nullable BigDecimal limit, @Nullable BigDecimal remaining, BigDecimal reserved,
                           @Nullable BigDecimal percent, @Nullable String band, Instant periodStart, @Nullable Instant resetsAt, @Nullable String currency) {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    /** Zero at the stored scale, so an untouched budget reads like a counted one. */
    static final BigDecimal ZERO = BigDecimal.ZERO.setScale(io.meterline.platform.common.Money.AMOUNT_SCALE);

    static BudgetStatus of(Budget budget, BudgetPeriods.Window window, BigDecimal consumed, BigDecimal reserved, List<BudgetStore.Band> bands) {
        BigDecimal limit = budget.limitAmount();
        if (limit == null) {
            return new BudgetStatus(budget.id(), consumed, null, null, reserved, null, null, window.start(), window.end(), budget.currency());
        }
        BigDecimal percent = percentOf(consumed, limit);
        return new BudgetStatus(budget.id(), consumed, limit, budget.remaining(consumed, reserved), reserved, percent,
                bandOf(percent, bands), window.start(), window.end(), budget.currency());
    }

    /** What a COST budget consumed, as money in its currency; null for other metrics. */
    @Nullable
    public Money cost() {
        return currency == null ? null : new Money(consumed, currency);
    }

    /** Consumption in percent of a limit, 2 decimals. */
    static BigDecimal percentOf(BigDecimal consumed, BigDecimal limit) {
        return consumed.multiply(HUNDRED).divide(limit, 2, RoundingMode.HALF_EVEN);
    }

    /** The last band whose start is at or below the percent. */
    static String bandOf(BigDecimal percent, List<BudgetStore.Band> bands) {
        String band = bands.get(0).name();
        for (BudgetStore.Band candidate : bands) {
            if (BigDecimal.valueOf(candidate.fromPercent()).compareTo(percent) <= 0) {
                band = candidate.name();
            }
        }
        return band;
    }
}
