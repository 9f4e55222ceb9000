package io.meterline.platform.insight;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Flags unusual values of a series by the robust (modified) z-score of Iglewicz and Hoaglin: for
 * each bucket, {@code 0.6745 × (x − median) / MAD} over the trailing window of buckets before it
 * (MAD: the median of absolute deviations from the median). A score beyond ±3.5 is unusual.
 * Medians ignore a few extreme values, so one spike neither hides itself nor the next one. When more
 * than half the window is one value (MAD = 0, such as quiet nights of zeros), the score falls back to
 * {@code (x − median) / (1.253314 × mean absolute deviation)}; a window with no spread at all (every
 * value equal, as for a new organization) scores nothing. Pure maths, no I/O.
 */
public final class RobustScore {

    /** Scores beyond this, either way, are unusual. */
    public static final double THRESHOLD = 3.5;
    static final double MAD_SCALE = 0.6745;
    static final double MEAN_AD_SCALE = 1.253314;

    private RobustScore() {
    }

    /** An unusual bucket: its index in the series, value, the window's median and the score. */
    public record Flag(int index, double value, double median, double score) {
    }

    /**
     * The unusual buckets among {@code series[from..]}, each scored against the {@code window}
     * buckets before it (fewer at the start of the series).
     */
    public static List<Flag> flags(double[] series, int from, int window) {
        List<Flag> flags = new ArrayList<>();
        for (int i = from; i < series.length; i++) {
            int start = Math.max(0, i - window);
            if (i - start < 2) {
                continue;
            }
            double[] trailing = Arrays.copyOfRange(series, start, i);
            Double score = score(series[i], trailing);
            if (score != null && Math.abs(score) > THRESHOLD) {
                flags.add(new Flag(i, series[i], median(trailing), score));
            }
        }
        return flags;
    }

    /** The robust z-score of a value against a window; null when the window has no spread. */
    public static Double score(double value, double[] window) {
        double median = median(window);
        double[] deviations = new double[window.length];
        double meanDeviation = 0;
        for (int i = 0; i < window.length; i++) {
            deviations[i] = Math.abs(window[i] - median);
            meanDeviation += deviations[i] / window.length;
        }
        double mad = median(deviations);
        if (mad > 0) {
            return MAD_SCALE * (value - median) / mad;
        }
        if (meanDeviation > 0) {
            return (value - median) / (MEAN_AD_SCALE * meanDeviation);
        }
        return null;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
