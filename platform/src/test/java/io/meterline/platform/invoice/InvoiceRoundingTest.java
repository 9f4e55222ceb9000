package io.meterline.platform.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.Money;
import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** Invoice amounts are rounded once, to the currency's minor unit, half-even: the house's one rounding mode. */
class InvoiceRoundingTest {

    @Test
    void minorUnitsFollowIso4217() {
        assertThat(Money.minorDigits("USD")).isEqualTo(2);
        assertThat(Money.minorDigits("JPY")).isEqualTo(0);
        assertThat(Money.minorDigits("KWD")).isEqualTo(3);
        assertThat(Money.toMinorUnit(new BigDecimal("1234.5"), "JPY")).isEqualByComparingTo("1234").hasToString("1234");
        assertThat(Money.toMinorUnit(new BigDecimal("1235.5"), "JPY")).hasToString("1236");
        assertThat(Money.toMinorUnit(new BigDecimal("1.2345"), "KWD")).hasToString("1.234");
        assertThat(Money.toMinorUnit(new BigDecimal("1.2355"), "KWD")).hasToString("1.236");
    }

    @Test
    void halfCentsRoundToEvenAndThirdsAreRoundedOncePerLine() {
        assertThat(Money.toMinorUnit(new BigDecimal("0.125"), "USD")).hasToString("0.12");
        assertThat(Money.toMinorUnit(new BigDecimal("0.135"), "USD")).hasToString("0.14");
        assertThat(Money.toMinorUnit(new BigDecimal("0.125000001"), "USD")).hasToString("0.13");
        // Three lines of a third each: each rounded once to 0.33; the subtotal is their exact sum, 0.99, never a rounded 1.00.
        BigDecimal third = BigDecimal.ONE.divide(BigDecimal.valueOf(3), MathContext.DECIMAL128);
        BigDecimal line = Money.toMinorUnit(Money.round(third), "USD");
        BigDecimal subtotal = line.add(line).add(line);
        assertThat(subtotal).hasToString("0.99");
        // 13 % tax of the subtotal, rounded once: 0.1287 → 0.13; subtotal + tax = total exactly.
        BigDecimal tax = Money.toMinorUnit(subtotal.multiply(new BigDecimal("13")).movePointLeft(2), "USD");
        assertThat(tax).hasToString("0.13");
        assertThat(subtotal.add(tax)).hasToString("1.12");
    }
}
