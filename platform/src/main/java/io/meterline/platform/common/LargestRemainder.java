package io.meterline.platform.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Rounds exact shares of a whole so that the rounded shares add up to the rounded whole, to the unit: each share
 * is rounded down, and the units left over go one each to the shares that lost the most (largest remainder;
 * ties to the earlier share, so the result does not depend on anything but the order given). Rounding each
 * share on its own would make 3 x 0.003333 = 0.00 out of a whole of 0.01.
 */
public final class LargestRemainder {

    private LargestRemainder() {
    }

    /** The minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for KWD). */
    public static int minorDigits(String currencyCode) {
        return Math.max(Currency.getInstance(currencyCode).getDefaultFractionDigits(), 0);
    }

    /**
     * The shares rounded to {@code digits} decimals, adding up exactly to their exact sum rounded once with
     * {@link Money#ROUNDING} to {@code digits} decimals.
     */
    public static List<BigDecimal> round(List<BigDecimal> exact, int digits) {
        BigDecimal whole = exact.stream().reduce(BigDecimal.ZERO, BigDecimal::add).setScale(digits, Money.ROUNDING);
        List<BigDecimal> rounded = new ArrayList<>(exact.stream().map(share -> share.setScale(digits, RoundingMode.FLOOR)).toList());
        BigDecimal unit = BigDecimal.ONE.movePointLeft(digits);
        // Shares are rounded down, so whole - their sum is between 0 and one unit per share (see the class comment).
        int left = whole.subtract(rounded.stream().reduce(BigDecimal.ZERO, BigDecimal::add)).divide(unit, 0, RoundingMode.UNNECESSARY).intValueExact();
        List<Integer> byRemainder = IntStream.range(0, exact.size()).boxed()
                .sorted(Comparator.comparing((Integer index) -> exact.get(index).subtract(rounded.get(index))).reversed().thenComparing(index -> index))
                .toList();
        for (int i = 0; i < left; i++) {
            int index = byRemainder.get(i % byRemainder.size());
            rounded.set(index, rounded.get(index).add(unit));
        }
        return List.copyOf(rounded);
    }
}
