package io.meterline.platform.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class LargestRemainderTest {

    private static List<BigDecimal> decimals(String... values) {
        return java.util.Arrays.stream(values).map(BigDecimal::new).toList();
    }

    private static BigDecimal sum(List<BigDecimal> values) {
        return values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void thirdsOfOneCentGiveTheCentToTheLargestShare() {
        // 0.01 split 33.33 / 33.33 / 33.34: each share rounded alone is 0.00, and the cent would be lost.
        List<BigDecimal> rounded = LargestRemainder.round(decimals("0.003333", "0.003333", "0.003334"), 2);
        assertThat(rounded).isEqualTo(decimals("0.00", "0.00", "0.01"));
    }

    @Test
    void equalRemaindersGoToTheEarlierShares() {
        // 1.00 in exact thirds: 0.333333333 each (to 9 decimals, the stored scale), total 0.999999999 rounds to 1.00.
        List<BigDecimal> rounded = LargestRemainder.round(decimals("0.333333333", "0.333333333", "0.333333333"), 2);
        assertThat(rounded).isEqualTo(decimals("0.34", "0.33", "0.33"));
        // Two odd cents in thirds: 0.02 split 33.33 / 33.33 / 33.34.
        assertThat(LargestRemainder.round(decimals("0.006666", "0.006666", "0.006668"), 2)).isEqualTo(decimals("0.01", "0.00", "0.01"));
    }

    @Test
    void zeroDigitCurrenciesRoundToWholeUnits() {
        // 4.35 JPY: 2.90 in thirds and 1.45 alone; the whole rounds to 4 (half even), and so do the lines.
        List<BigDecimal> rounded = LargestRemainder.round(decimals("0.96657", "0.96657", "0.96686", "1.45"), 0);
        assertThat(rounded).isEqualTo(decimals("1", "1", "1", "1"));
        assertThat(sum(rounded)).isEqualByComparingTo("4");
    }

    @Test
    void threeDigitCurrenciesAndManySharesAddUpExactly() {
        // 10.000 KWD in 7 equal shares of 1.428571428...
        List<BigDecimal> shares = java.util.Collections.nCopies(7, new BigDecimal("1.428571428571"));
        List<BigDecimal> rounded = LargestRemainder.round(shares, 3);
        assertThat(sum(rounded)).isEqualByComparingTo("10.000");
        assertThat(rounded).containsOnly(new BigDecimal("1.429"), new BigDecimal("1.428"));
    }

    @Test
    void theWholeIsRoundedOnceHalfEven() {
        // 0.005 + 0.010 = 0.015 rounds half even to 0.02: the unit goes to the 0.005 share (remainder 0.005 against 0).
        assertThat(LargestRemainder.round(decimals("0.005", "0.010"), 2)).isEqualTo(decimals("0.01", "0.01"));
        assertThat(LargestRemainder.round(decimals("0.0125", "0.0000"), 2)).isEqualTo(decimals("0.01", "0.00"));
        assertThat(LargestRemainder.round(List.of(), 2)).isEmpty();
    }
}
