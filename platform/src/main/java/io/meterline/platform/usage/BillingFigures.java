package io.meterline.platform.usage;

import io.meterline.platform.common.Money;
import io.meterline.platform.fx.FxConverter;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;

/**
 * The one figure an aggregate cost shows: the sums kept per billing currency (one, unless the organization changed
 * its billing currency within the range) added up in the organization's current billing currency. A part billed in
 * another currency is converted with {@link FxConverter} at the rate of one day, the range's last: a reporting
 * conversion, so every figure of one answer converts alike and stored figures are never rewritten. A part no rate
 * converts yet is left out of the figure (its original amounts stay in {@code originalCost}).
 */
@Singleton
public class BillingFigures {

    private final FxConverter fx;

    BillingFigures(FxConverter fx) {
        this.fx = fx;
    }

    /** Figures in {@code currency}, other billing currencies converted at the rate of {@code day}. */
    public In in(String currency, LocalDate day) {
        return new In(fx, currency, day);
    }

    /** Figures in one currency at one day's rates. */
    public static final class In {

        private final FxConverter fx;
        private final String currency;
        private final LocalDate day;

        private In(FxConverter fx, String currency, LocalDate day) {
            this.fx = fx;
            this.currency = Objects.requireNonNull(currency, "currency is null");
            this.day = Objects.requireNonNull(day, "day is null");
        }

        public String currency() {
            return currency;
        }

        /** The sums per billing currency as one amount in this currency. */
        public BigDecimal amount(Map<String, BigDecimal> billingCost) {
            BigDecimal total = BigDecimal.ZERO;
            for (Map.Entry<String, BigDecimal> part : billingCost.entrySet()) {
                total = total.add(part.getKey().equals(currency) ? part.getValue() : convert(part.getValue(), part.getKey()));
            }
            return Money.round(total);
        }

        /** {@link #amount} with its currency. */
        public Money money(Map<String, BigDecimal> billingCost) {
            return new Money(amount(billingCost), currency);
        }

        /** An amount of another currency in this one, at the day's rate; zero while no rate converts it. */
        public BigDecimal convert(BigDecimal amount, String from) {
            return fx.convert(amount, from, currency, day).map(conversion -> conversion.amount()).orElse(BigDecimal.ZERO);
        }
    }
}
