package io.meterline.platform.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Forecast} and {@link RobustScore} on synthetic series with known answers. */
class ForecastTest {

    /** A Sunday: the 56 history days run Monday 2026-01-05 to Sunday 2026-03-01. */
    private static final LocalDate LAST = LocalDate.of(2026, 3, 1);

    private static double[] series(java.util.function.IntToDoubleFunction value) {
        double[] values = new double[56];
        for (int i = 0; i < 56; i++) {
            values[i] = value.applyAsDouble(i);
        }
        return values;
    }

    @Test
    void aConstantSeriesGivesAFlatForecastWithNoBand() {
        Forecast.Result result = Forecast.forecast(series(i -> 100), LAST, 30);
        assertThat(result.days()).hasSize(30);
        assertThat(result.days().get(0).date()).isEqualTo(LAST.plusDays(1));
        assertThat(result.days()).allSatisfy(day -> {
            assertThat(day.likely()).isCloseTo(100, within(1e-9));
            assertThat(day.conservative()).isCloseTo(100, within(1e-9));
            assertThat(day.aggressive()).isCloseTo(100, within(1e-9));
        });
        assertThat(result.totalLikely()).isCloseTo(3000, within(1e-6));
        assertThat(result.residualStdDev()).isCloseTo(0, within(1e-9));
    }

    @Test
    void aPureWeekdayPatternIsReproduced() {
        // Monday 10 ... Friday 50, weekends nothing.
        double[] week = {10, 20, 30, 40, 50, 0, 0};
        Forecast.Result result = Forecast.forecast(series(i -> week[LAST.minusDays(55 - i).getDayOfWeek().ordinal()]), LAST, 14);
        for (Forecast.Day day : result.days()) {
            assertThat(day.likely()).as(day.date().toString()).isCloseTo(week[day.date().getDayOfWeek().ordinal()], within(1e-9));
        }
        assertThat(result.factors()[DayOfWeek.MONDAY.ordinal()]).isCloseTo(10 / (150.0 / 7), within(1e-9));
        assertThat(result.factors()[DayOfWeek.SUNDAY.ordinal()]).isZero();
        assertThat(result.slope()).isCloseTo(0, within(1e-9));
        assertThat(result.totalLikely()).isCloseTo(300, within(1e-6));
    }

    @Test
    void aLinearTrendIsExtendedExactly() {
        Forecast.Result result = Forecast.forecast(series(i -> 100 + 2 * i), LAST, 30);
        assertThat(result.factors()).containsOnly(new double[] {1, 1, 1, 1, 1, 1, 1}, within(1e-9));
        assertThat(result.slope()).isCloseTo(2, within(1e-9));
        for (int j = 0; j < 30; j++) {
            assertThat(result.days().get(j).likely()).isCloseTo(100 + 2 * (56 + j), within(1e-6));
        }
        assertThat(result.residualStdDev()).isCloseTo(0, within(1e-9));
    }

    @Test
    void aTrendTimesAWeekdayPatternKeepsBoth() {
        double[] week = {1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5};
        Forecast.Result result = Forecast.forecast(series(i -> 1000 * week[LAST.minusDays(55 - i).getDayOfWeek().ordinal()]), LAST, 7);
        assertThat(result.days().get(0).likely()).isCloseTo(1200, within(1e-6));
        assertThat(result.days().get(5).likely()).isCloseTo(500, within(1e-6));
    }

    @Test
    void noiseWidensTheBandToAbout80PercentOfOutcomes() {
        Random random = new Random(7);
        double sigma = 10;
        int inside = 0;
        int total = 0;
        for (int run = 0; run < 200; run++) {
            Forecast.Result result = Forecast.forecast(series(i -> 200 + sigma * random.nextGaussian()), LAST, 30);
            // The band is exactly likely -/+ 1.28 residual standard deviations ...
            Forecast.Day first = result.days().get(0);
            assertThat(first.aggressive() - first.likely()).isCloseTo(Forecast.K * result.residualStdDev(), within(1e-9));
            assertThat(first.likely() - first.conservative()).isCloseTo(Forecast.K * result.residualStdDev(), within(1e-9));
            // ... and the residual standard deviation estimates the noise.
            assertThat(result.residualStdDev()).isBetween(0.6 * sigma, 1.4 * sigma);
            for (Forecast.Day day : result.days()) {
                double outcome = 200 + sigma * random.nextGaussian();
                inside += outcome >= day.conservative() && outcome <= day.aggressive() ? 1 : 0;
                total++;
            }
        }
        assertThat((double) inside / total).isBetween(0.70, 0.90);
    }

    @Test
    void theBandIsFlooredAtZeroAndAnOrganizationWithoutHistoryForecastsZero() {
        Forecast.Result falling = Forecast.forecast(series(i -> Math.max(0, 560 - 10 * i)), LAST, 30);
        assertThat(falling.days()).allSatisfy(day -> assertThat(day.conservative()).isGreaterThanOrEqualTo(0));
        assertThat(falling.days().get(29).likely()).isZero();
        Forecast.Result empty = Forecast.forecast(new double[56], LAST, 5);
        assertThat(empty.totalAggressive()).isZero();
        assertThat(empty.daysUsed()).isZero();
    }

    @Test
    void leadingDaysWithoutUsageAreLeftOut() {
        Forecast.Result result = Forecast.forecast(series(i -> i < 40 ? 0 : 50), LAST, 3);
        assertThat(result.daysUsed()).isEqualTo(16);
        assertThat(result.days().get(0).likely()).isCloseTo(50, within(1e-9));
    }

    @Test
    void theRobustScoreFlagsOneSpikeAndIgnoresOrdinaryNoise() {
        double[] values = new double[40];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100 + (i % 5) * 3;
        }
        values[35] = 400;
        var flags = RobustScore.flags(values, 28, 28);
        assertThat(flags).hasSize(1);
        RobustScore.Flag spike = flags.get(0);
        assertThat(spike.index()).isEqualTo(35);
        // Window values 100, 103, 106, 109, 112 (repeated): median 106, MAD 3.
        assertThat(spike.median()).isEqualTo(106);
        assertThat(spike.score()).isCloseTo(0.6745 * (400 - 106) / 3, within(1e-9));
        assertThat(RobustScore.score(5, new double[] {5, 5, 5})).isNull();
        // Mostly zeros (MAD 0): the mean absolute deviation takes over.
        assertThat(RobustScore.score(10, new double[] {0, 0, 0, 4})).isCloseTo(10 / (1.253314 * 1.0), within(1e-9));
    }
}
