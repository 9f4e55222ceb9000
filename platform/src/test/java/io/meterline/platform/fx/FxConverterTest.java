package io.meterline.platform.fx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.common.Money;
import io.meterline.platform.support.MutableClock;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The converter's arithmetic, fallback and cache, on a fixed list of rates (no database). */
class FxConverterTest {

    private static final LocalDate THURSDAY_BEFORE_EASTER = LocalDate.parse("2025-04-17");
    private static final LocalDate TUESDAY_AFTER_EASTER = LocalDate.parse("2025-04-22");
    private static final LocalDate FRIDAY = LocalDate.parse("2025-05-09");

    /** Rates read from a list, counting how often each currency's history is read. */
    private static final class FixedRates implements RateHistory {
        private final Map<String, List<FxRate>> rates = new HashMap<>();
        private final Map<String, Integer> reads = new HashMap<>();

        void add(String currency, LocalDate day, String rate, FxSource source) {
            rates.computeIfAbsent(currency, key -> new ArrayList<>()).add(new FxRate(rates.size() + 1, "EUR", currency, day,
                    new BigDecimal(rate).setScale(FxConverter.RATE_SCALE), source, null, Instant.parse("2026-01-01T00:00:00Z")));
        }

        @Override
        public List<FxRate> history(String quoteCurrency) {
            reads.merge(quoteCurrency, 1, Integer::sum);
            return rates.getOrDefault(quoteCurrency, List.of()).stream().sorted((a, b) -> a.rateDate().compareTo(b.rateDate())).toList();
        }

        int reads(String currency) {
            return reads.getOrDefault(currency, 0);
        }
    }

    private FixedRates rates;
    private MutableClock clock;
    private FxConverter converter;

    @BeforeEach
    void setUp() {
        rates = new FixedRates();
        // The ECB's published rates of these days (eurofxref-hist): Good Friday 2025-04-18 and Easter Monday 2025-04-21 are TARGET holidays.
        rates.add("USD", THURSDAY_BEFORE_EASTER, "1.136", FxSource.ECB);
        rates.add("USD", TUESDAY_AFTER_EASTER, "1.1476", FxSource.ECB);
        rates.add("USD", FRIDAY, "1.1252", FxSource.ECB);
        rates.add("CAD", THURSDAY_BEFORE_EASTER, "1.5773", FxSource.ECB);
        rates.add("CAD", FRIDAY, "1.5658", FxSource.ECB);
        rates.add("INR", FRIDAY, "96.0755", FxSource.BUNDLED);
        rates.add("NZD", LocalDate.parse("2025-05-08"), "1.9065", FxSource.MANUAL);
        clock = new MutableClock();
        clock.set(Instant.parse("2025-05-12T12:00:00Z"));
        converter = new FxConverter(rates, clock, new FxConfiguration(URI.create("http://localhost/"), false, Duration.ofHours(1), Duration.ofSeconds(1), 1,
                List.of(), Duration.ofMinutes(1), 1_000_000, Duration.ofMinutes(1), Duration.ofDays(5), null));
    }

    @Test
    void euroToAnotherCurrencyUsesThePublishedRateExactly() {
        Conversion conversion = converter.convert(new BigDecimal("100.00"), "EUR", "USD", FRIDAY).orElseThrow();
        assertThat(conversion.rate()).isEqualByComparingTo("1.1252").hasScaleOf(12);
        assertThat(conversion.amount()).isEqualTo(new BigDecimal("112.520000000"));
        assertThat(conversion.money()).isEqualTo(new Money(new BigDecimal("112.520000000"), "USD"));
        assertThat(conversion.rateDate()).isEqualTo(FRIDAY);
    }

    @Test
    void intoTheEuroDividesOnceToTwelveDecimalsAndRoundsTheAmountOnce() {
        Conversion conversion = converter.convert(new BigDecimal("100"), "USD", "EUR", FRIDAY).orElseThrow();
        // 1 / 1.1252 = 0.88873089228581...: 12 decimals, half-even.
        assertThat(conversion.rate()).isEqualTo(new BigDecimal("0.888730892286"));
        assertThat(conversion.amount()).isEqualTo(new BigDecimal("88.873089229"));
        assertThat(conversion.amount().setScale(2, RoundingMode.HALF_EVEN)).isEqualTo(new BigDecimal("88.87"));
    }

    @Test
    void aCrossRateGoesThroughTheEuro() {
        Conversion conversion = converter.convert(new BigDecimal("250"), "USD", "CAD", FRIDAY).orElseThrow();
        // EUR→CAD / EUR→USD = 1.5658 / 1.1252.
        assertThat(conversion.rate()).isEqualTo(new BigDecimal("1.391574831141"));
        assertThat(conversion.amount()).isEqualTo(new BigDecimal("347.893707785"));
        assertThat(conversion.amount().setScale(2, RoundingMode.HALF_EVEN)).isEqualTo(new BigDecimal("347.89"));
        assertThat(conversion.currencyCode()).isEqualTo("CAD");

        Conversion toRupees = converter.convert(new Money(new BigDecimal("180.38"), "USD"), "INR", FRIDAY).orElseThrow();
        assertThat(toRupees.rate()).isEqualTo(new BigDecimal("85.385264841806"));
        assertThat(toRupees.amount()).isEqualTo(new BigDecimal("15401.794072165"));
        assertThat(converter.rate("USD", "INR", FRIDAY).orElseThrow().source()).as("a cross rate is as official as its weaker leg").isEqualTo(FxSource.BUNDLED);
    }

    @Test
    void aWeekendUsesTheFridayBeforeIt() {
        for (LocalDate weekend : List.of(LocalDate.parse("2025-05-10"), LocalDate.parse("2025-05-11"))) {
            Conversion conversion = converter.convert(new BigDecimal("10"), "EUR", "USD", weekend).orElseThrow();
            assertThat(conversion.rateDate()).isEqualTo(FRIDAY);
            assertThat(conversion.amount()).isEqualTo(new BigDecimal("11.252000000"));
        }
    }

    @Test
    void easterHolidaysUseTheThursdayBefore() {
        for (LocalDate holiday : List.of(LocalDate.parse("2025-04-18"), LocalDate.parse("2025-04-19"), LocalDate.parse("2025-04-20"), LocalDate.parse("2025-04-21"))) {
            CrossRate rate = converter.rate("USD", "CAD", holiday).orElseThrow();
            assertThat(rate.rateDate()).isEqualTo(THURSDAY_BEFORE_EASTER);
            assertThat(rate.rate()).isEqualTo(new BigDecimal("1.5773").divide(new BigDecimal("1.136"), 12, RoundingMode.HALF_EVEN));
        }
        assertThat(converter.rate("EUR", "USD", TUESDAY_AFTER_EASTER).orElseThrow().rate()).isEqualByComparingTo("1.1476");
    }

    @Test
    void aCrossRateIsDatedByItsOlderLeg() {
        // CAD has no rate on the Tuesday after Easter, USD has: the CAD leg is from Thursday.
        CrossRate rate = converter.rate("USD", "CAD", TUESDAY_AFTER_EASTER).orElseThrow();
        assertThat(rate.rateDate()).isEqualTo(THURSDAY_BEFORE_EASTER);
        assertThat(rate.rate()).isEqualTo(new BigDecimal("1.5773").divide(new BigDecimal("1.1476"), 12, RoundingMode.HALF_EVEN));
        assertThat(converter.rate("NZD", "EUR", FRIDAY).orElseThrow().source()).isEqualTo(FxSource.MANUAL);
    }

    @Test
    void noRateOnOrBeforeTheDayIsEmptyNeverZero() {
        assertThat(converter.convert(BigDecimal.TEN, "EUR", "USD", THURSDAY_BEFORE_EASTER.minusDays(1))).isEmpty();
        assertThat(converter.convert(BigDecimal.TEN, "USD", "INR", LocalDate.parse("2025-05-08"))).as("INR starts on Friday").isEmpty();
        assertThat(converter.convert(BigDecimal.TEN, "USD", "XYZ", FRIDAY)).isEmpty();
    }

    @Test
    void theSameCurrencyIsTheIdentityRoundedOnce() {
        Conversion conversion = converter.convert(new BigDecimal("1.0000000015"), "CAD", "CAD", FRIDAY).orElseThrow();
        assertThat(conversion.rate()).isEqualTo(new BigDecimal("1.000000000000"));
        assertThat(conversion.amount()).as("half-even at the 9th decimal").isEqualTo(new BigDecimal("1.000000002"));
        assertThat(conversion.rateDate()).isEqualTo(FRIDAY);
        assertThat(rates.reads("CAD")).isZero();
    }

    @Test
    void malformedCodesAreAProgrammingError() {
        assertThatThrownBy(() -> converter.convert(BigDecimal.ONE, "usd", "EUR", FRIDAY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> converter.convert(BigDecimal.ONE, "EUR", "US", FRIDAY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratesAreReadOncePerCurrencyAndADayWithItsOwnRateNeverAgain() {
        for (int i = 0; i < 1000; i++) {
            converter.convert(new BigDecimal(i), "USD", "CAD", FRIDAY).orElseThrow();
        }
        assertThat(rates.reads("USD")).isEqualTo(1);
        assertThat(rates.reads("CAD")).isEqualTo(1);

        clock.set(clock.instant().plus(Duration.ofDays(30)));
        converter.convert(BigDecimal.ONE, "USD", "CAD", FRIDAY).orElseThrow();
        assertThat(rates.reads("USD")).as("a stored rate never changes: no reload for its own day").isEqualTo(1);

        // A weekend fell back to Friday: after the cache's time to live, it looks again for a rate stored since.
        converter.convert(BigDecimal.ONE, "EUR", "USD", LocalDate.parse("2025-05-10")).orElseThrow();
        assertThat(rates.reads("USD")).isEqualTo(2);
        rates.add("USD", LocalDate.parse("2025-05-10"), "1.2", FxSource.MANUAL);
        assertThat(converter.convert(BigDecimal.ONE, "EUR", "USD", LocalDate.parse("2025-05-10")).orElseThrow().rateDate())
                .as("still within the time to live of the last read").isEqualTo(FRIDAY);
        converter.invalidate(List.of("USD"));
        assertThat(converter.convert(BigDecimal.ONE, "EUR", "USD", LocalDate.parse("2025-05-10")).orElseThrow().amount())
                .isEqualTo(new BigDecimal("1.200000000"));
    }
}
