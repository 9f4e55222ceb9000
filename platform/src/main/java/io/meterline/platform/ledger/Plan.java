package io.meterline.platform.ledger;

import io.meterline.platform.common.Money;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * A plan: a monthly price and a monthly token allowance resetting on {@code resetDay}.
 *
 * @param id the row id
 * @param name the unique name
 * @param monthlyPrice the monthly price
 * @param currency the price's currency
 * @param monthlyTokens tokens granted per period
 * @param resetDay the day of the month (1 to 28) a period starts, in the organization's zone
 * @param active whether organizations can be put on it
 * @param freeBaseline whether it is the plan of organizations without one
 * @param createdAt when it was created
 * @param stripePriceId the recurring Stripe price a subscription checkout sells; null for plans not sold through Stripe
 * @param visible whether organization admins see it among their plan options (hidden plans are assigned by platform admins)
 */
@MappedEntity("plan")
public record Plan(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        BigDecimal monthlyPrice,
        String currency,
        long monthlyTokens,
        int resetDay,
        boolean active,
        boolean freeBaseline,
        Instant createdAt,
        @Nullable String stripePriceId,
        boolean visible) {

    /** The GraphQL type name, used in global ids. */
    public static final String TYPE = "Plan";

    public Money monthlyPriceMoney() {
        return new Money(monthlyPrice, currency);
    }

    /**
     * The first day of the plan period holding an instant: the latest reset day on or before the
     * local date. Reset days stop at 28 so every month has one.
     */
    public LocalDate periodStart(Instant now, ZoneId zone) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate thisMonth = today.withDayOfMonth(resetDay);
        return today.isBefore(thisMonth) ? thisMonth.minusMonths(1) : thisMonth;
    }
}
