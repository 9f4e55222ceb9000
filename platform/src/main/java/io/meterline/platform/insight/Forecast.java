package io.meterline.platform.insight;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A daily forecast from a trailing series of daily totals; pure maths, no I/O.
 *
 * <ol>
 *   <li><b>Weekday factors.</b> Each day is divided by the centred 7-day mean around it (the mean of
 *       its own week); a weekday's factor is the mean of its ratios, and the seven factors are scaled
 *       to average 1. Without a trend this is exactly "the mean of each weekday over the trailing 8
 *       weeks divided by the overall mean"; the centred mean keeps a trend from leaking into the
 *       factors (with a plain overall mean, a rising series would make Sundays look busier than
 *       Mondays).</li>
 *   <li><b>Trend.</b> A straight line fitted by least squares to the weekday-adjusted totals
 *       (day total ÷ its weekday's factor; days whose factor is 0 carry no level and are left out).</li>
 *   <li><b>Likely</b> = trend × weekday factor; <b>conservative / aggressive</b> = likely ∓ k × the
 *       residual standard deviation of the fit (k = 1.28: a ~80 % band under normal errors), floored at 0.</li>
 * </ol>
 * Leading days without any usage (an organization that started recently) are left out of the fit.
 * Fewer than 14 days of history give no weekday factors (all 1); fewer than 2 a flat mean.
 */
public final class Forecast {

    /** The band multiplier: ±1.28 standard deviations hold ~80 % of a normal distribution. */
    public static final double K = 1.28;
    static final int MIN_DAYS_FOR_FACTORS = 14;

    private Forecast() {
    }

    /** One forecast day. */
    public record Day(LocalDate date, double conservative, double likely, double aggressive) {
    }

    /**
     * The forecast and what it was built from.
     *
     * @param factors the weekday factors, Monday first
     * @param intercept the trend's value on the first history day used
     * @param slope the trend's change per day
     * @param residualStdDev the standard deviation of the fit's residuals
     * @param daysUsed how many history days the fit used
     */
    public record Result(List<Day> days, double[] factors, double intercept, double slope, double residualStdDev, int daysUsed) {

        public double totalLikely() {
            return days.stream().mapToDouble(Day::likely).sum();
        }

        public double totalConservative() {
            return days.stream().mapToDouble(Day::conservative).sum();
        }

        public double totalAggressive() {
            return days.stream().mapToDouble(Day::aggressive).sum();
        }
    }

    /**
     * Forecasts {@code horizon} days following the history.
     *
     * @param history daily totals, oldest first; the day after the last one is the first forecast day
     * @param lastHistoryDay the date of the last history value
     */
    public static Result forecast(double[] history, LocalDate lastHistoryDay, int horizon) {
        int skip = 0;
        while (skip < history.length && history[skip] == 0) {
            skip++;
        }
        int n = history.length - skip;
        double[] y = new double[n];
        DayOfWeek[] weekday = new DayOfWeek[n];
        LocalDate firstDay = lastHistoryDay.minusDays(n - 1L);
        for (int i = 0; i < n; i++) {
            y[i] = history[skip + i];
            weekday[i] = firstDay.plusDays(i).getDayOfWeek();
        }
        double[] factors = n >= MIN_DAYS_FOR_FACTORS ? weekdayFactors(y, weekday) : new double[] {1, 1, 1, 1, 1, 1, 1};
        // Least squares on the adjusted series: adjusted = intercept + slope * i.
        double sumX = 0;
        double sumY = 0;
        int points = 0;
        for (int i = 0; i < n; i++) {
            double factor = factors[weekday[i].ordinal()];
            if (factor > 0) {
                sumX += i;
                sumY += y[i] / factor;
                points++;
            }
        }
        double intercept = points == 0 ? 0 : sumY / points;
        double slope = 0;
        if (points >= 2) {
            double meanX = sumX / points;
            double meanY = sumY / points;
            double sxy = 0;
            double sxx = 0;
            for (int i = 0; i < n; i++) {
                double factor = factors[weekday[i].ordinal()];
                if (factor > 0) {
                    sxy += (i - meanX) * (y[i] / factor - meanY);
                    sxx += (i - meanX) * (i - meanX);
                }
            }
            slope = sxx == 0 ? 0 : sxy / sxx;
            intercept = meanY - slope * meanX;
        }
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double residual = y[i] - (intercept + slope * i) * factors[weekday[i].ordinal()];
            squares += residual * residual;
        }
        double sd = n > 2 ? Math.sqrt(squares / (n - 2)) : 0;
        List<Day> days = new ArrayList<>(horizon);
        for (int j = 1; j <= horizon; j++) {
            LocalDate date = lastHistoryDay.plusDays(j);
            double likely = Math.max(0, (intercept + slope * (n - 1 + j)) * factors[date.getDayOfWeek().ordinal()]);
            days.add(new Day(date, Math.max(0, likely - K * sd), likely, likely + K * sd));
        }
        return new Result(days, factors, intercept, slope, sd, n);
    }

    /** The mean ratio of each weekday to its centred 7-day mean, scaled so the seven average 1. */
    static double[] weekdayFactors(double[] y, DayOfWeek[] weekday) {
        double[] ratioSums = new double[7];
        int[] counts = new int[7];
        for (int i = 3; i + 3 < y.length; i++) {
            double week = 0;
            for (int j = i - 3; j <= i + 3; j++) {
                week += y[j];
            }
            if (week > 0) {
                ratioSums[weekday[i].ordinal()] += y[i] / (week / 7);
                counts[weekday[i].ordinal()]++;
            }
        }
        double[] factors = new double[7];
        double sum = 0;
        for (int d = 0; d < 7; d++) {
            factors[d] = counts[d] == 0 ? 1 : ratioSums[d] / counts[d];
            sum += factors[d];
        }
        if (sum == 0) {
            return new double[] {1, 1, 1, 1, 1, 1, 1};
        }
        for (int d = 0; d < 7; d++) {
            factors[d] = factors[d] * 7 / sum;
        }
        return factors;
    }
}
