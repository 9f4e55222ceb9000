package io.meterline.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.common.Money;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code meterline.stripe.top-up-packs} is read once; a malformed entry stops the server instead of selling a wrong pack. */
class TopUpPacksTest {

    @Test
    void packsAreFoundByIdAndListedPerCurrencyFewestTokensFirst() {
        TopUpPacks packs = new TopUpPacks(List.of("cad:3000000:54.00", " CAD:1000000:20.00 ", "USD:1000000:15", "JPY:1000000:2000"));
        assertThat(packs.inCurrency("CAD")).extracting(TopUpPack::id).containsExactly("CAD-1000000", "CAD-3000000");
        assertThat(packs.find("CAD-3000000").orElseThrow().price()).isEqualTo(new Money(new BigDecimal("54.00"), "CAD"));
        assertThat(packs.find("USD-1000000").orElseThrow().tokens()).isEqualTo(1_000_000L);
        assertThat(packs.find("EUR-1000000")).isEmpty();
        assertThat(packs.inCurrency("EUR")).isEmpty();
    }

    @Test
    void malformedPacksAreRefused() {
        for (String bad : List.of("CAD:1000000", "CAD:many:20.00", "CAD:1000000:twenty", "CAD:0:20.00", "CAD:1000000:-1", "CAD:1000000:0",
                "CAD:1000000:20.001", "JPY:1000000:20.5", "XXQ:1000000:20.00", "CAD:1000000:20.00:extra")) {
            assertThatThrownBy(() -> new TopUpPacks(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new TopUpPacks(List.of("CAD:1000000:20.00", "CAD:1000000:25.00"))).hasMessageContaining("twice");
    }

    @Test
    void stripeAmountsAreInTheCurrencysSmallestUnit() {
        assertThat(BillingService.minorUnits(new Money(new BigDecimal("54.00"), "CAD"))).isEqualTo(5400L);
        assertThat(BillingService.minorUnits(new Money(new BigDecimal("50.5"), "EUR"))).isEqualTo(5050L);
        assertThat(BillingService.minorUnits(new Money(new BigDecimal("2000"), "JPY"))).isEqualTo(2000L);
    }
}
