package io.meterline.platform.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Locale;
import java.util.Objects;

/**
 * An amount in one currency. The one place where amounts are rounded: every stored cost goes
 * through {@link #round(BigDecimal)}.
 *
 * @param amount the amount
 * @param currencyCode the ISO 4217 code
 */
public record Money(BigDecimal amount, String currencyCode) {

    /** Decimals kept for stored amounts. */
    public static final int AMOUNT_SCALE = 9;

    /** How amounts are rounded, once, when stored. */
    public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

    public Money {
        Objects.requireNonNull(amount, "amount is null");
        Objects.requireNonNull(currencyCode, "currencyCode is null");
    }

    /** Rounds an amount to the stored scale. */
    public static BigDecimal round(BigDecimal amount) {
        return amount.setScale(AMOUNT_SCALE, ROUNDING);
    }

    /** The digits of a currency's minor unit: 2 for CAD, 0 for JPY, 3 for KWD (ISO 4217). */
    public static int minorDigits(String currencyCode) {
        return Math.max(Currency.getInstance(currencyCode.toUpperCase(Locale.ROOT)).getDefaultFractionDigits(), 0);
    }

    /**
     * Rounds an amount to the currency's minor unit, as documents (invoices) show and charge it: each
     * figure is rounded once, here, and sums of rounded figures are then exact.
     */
    public static BigDecimal toMinorUnit(BigDecimal amount, String currencyCode) {
        return amount.setScale(minorDigits(currencyCode), ROUNDING);
    }
}
