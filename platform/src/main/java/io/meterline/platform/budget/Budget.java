package io.meterline.platform.budget;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A limit on a metric for a scope over a period.
 *
 * @param id the row id
 * @param organizationId the organization
 * @param name what people call it
 * @param metric what is counted
 * @param provider for METER_UNITS the provider, for TOKENS an optional provider filter
 * @param meter for METER_UNITS the provider's meter key
 * @param scopeKind who is counted
 * @param scopeKey the dimension value (for API_KEY the key's row id); null for ORGANIZATION
 * @param periodKind how long one period lasts
 * @param limitAmount the limit, null for unlimited
 * @param thresholds alert percents, comma separated, ascending
 * @param enforcement SOFT alerts only, HARD also denies authorizations
 * @param budgetType SUBSCRIPTION recurs every period; ONE_TIME never resets
 * @param currency for COST budgets: only usage priced in this currency counts
 * @param archived archived budgets neither count nor deny
 * @param createdAt when it was created
 */
@MappedEntity("budget")
public record Budget(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        String name,
        Metric metric,
        @Nullable String provider,
        @Nullable String meter,
        Scope scopeKind,
        @Nullable String scopeKey,
        Period periodKind,
        @Nullable BigDecimal limitAmount,
        String thresholds,
        Enforcement enforcement,
        Type budgetType,
        @Nullable String currency,
        boolean archived,
        Instant createdAt) {

    /** The GraphQL type name, also the type part of global ids. */
    public static final String TYPE = "Budget";

    /**
     * What a budget counts. Reservations keep amounts as whole multiples of 10^-heldScale (see
     * {@link RedisReservationBook}: its arithmetic is exact below 2^53 units), which bounds a limit
     * to 10^15 such units: 10^15 tokens or requests, 10^9 of a currency or a meter's unit.
     */
    public enum Metric {
        TOKENS(0), COST(6), METER_UNITS(6), REQUESTS(0);

        /** The decimals a hold keeps; estimates are rounded up to them. */
        final int heldScale;

        Metric(int heldScale) {
            this.heldScale = heldScale;
        }

        /** The largest limit a budget of this metric may have. */
        public BigDecimal maxLimit() {
            return BigDecimal.ONE.movePointRight(15 - heldScale);
        }
    }

    /** Whose usage a budget counts. */
    public enum Scope { ORGANIZATION, ACCOUNT_ID, API_KEY, MEMBER, TEAM, PROJECT, DEPARTMENT }

    /** How long one period of a budget lasts. */
    public enum Period { MINUTE, DAY, WEEK, MONTH, TOTAL }

    /** What happens at the limit. */
    public enum Enforcement { SOFT, HARD }

    /** Whether a budget recurs. */
    public enum Type { SUBSCRIPTION, ONE_TIME }

    public List<Integer> thresholdList() {
        return Arrays.stream(thresholds.split(",")).map(String::trim).filter(part -> !part.isEmpty()).map(Integer::valueOf).toList();
    }

    static String thresholdText(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /**
     * Room left in a period: the limit less what was consumed and what unexpired holds keep, so a
     * budget with all of it held reads 0 before any usage is recorded. Never below 0: usage recorded
     * past the limit (SOFT budgets, estimates below the real call) reads as no room, not as a debt.
     * Every remaining a client sees (budget status, authorization answers, admin views) comes from here.
     *
     * @return the room, null for an unlimited budget
     */
    @Nullable
    public BigDecimal remaining(BigDecimal consumed, BigDecimal reserved) {
        return limitAmount == null ? null : limitAmount.subtract(consumed).subtract(reserved).max(BudgetStatus.ZERO);
    }

    public boolean hard() {
        return enforcement == Enforcement.HARD;
    }

    /** Whether the budget counts one window forever instead of recurring periods. */
    public boolean neverResets() {
        return periodKind == Period.TOTAL || budgetType == Type.ONE_TIME;
    }

    Budget withChanges(String newName, @Nullable BigDecimal newLimit, String newThresholds, Enforcement newEnforcement) {
        return new Budget(id, organizationId, newName, metric, provider, meter, scopeKind, scopeKey, periodKind, newLimit, newThresholds,
                newEnforcement, budgetType, currency, archived, createdAt);
    }

    Budget archivedCopy() {
        return new Budget(id, organizationId, name, metric, provider, meter, scopeKind, scopeKey, periodKind, limitAmount, thresholds,
                enforcement, budgetType, currency, true, createdAt);
    }
}
