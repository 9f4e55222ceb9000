package io.meterline.platform.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A fixed set of values drawn with relative weights. Draws consume exactly one random number, so a
 * generator that draws in the same order from the same seed repeats itself exactly.
 *
 * @param <T> the value type
 */
final class WeightedChoice<T> {

    private final List<T> values;
    private final double[] cumulativeWeights;

    private WeightedChoice(List<T> values, double[] cumulativeWeights) {
        this.values = List.copyOf(values);
        this.cumulativeWeights = cumulativeWeights;
    }

    /** Starts an empty choice; add values with {@link Builder#add}. */
    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** Equal odds for every value. */
    static <T> WeightedChoice<T> uniform(List<T> values) {
        Builder<T> builder = builder();
        values.forEach(value -> builder.add(value, 1));
        return builder.build();
    }

    T pick(Random random) {
        double target = random.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
        for (int index = 0; index < cumulativeWeights.length; index++) {
            if (target < cumulativeWeights[index]) {
                return values.get(index);
            }
        }
        // Only reached through rounding at the very top of the range.
        return values.get(values.size() - 1);
    }

    /** Collects values and weights. */
    static final class Builder<T> {

        private final List<T> values = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();

        Builder<T> add(T value, double weight) {
            if (weight <= 0) {
                throw new IllegalArgumentException("weights must be positive");
            }
            values.add(value);
            weights.add(weight);
            return this;
        }

        WeightedChoice<T> build() {
            if (values.isEmpty()) {
                throw new IllegalStateException("a choice needs at least one value");
            }
            double[] cumulative = new double[weights.size()];
            double total = 0;
            for (int index = 0; index < weights.size(); index++) {
                total += weights.get(index);
                cumulative[index] = total;
            }
            return new WeightedChoice<>(values, cumulative);
        }
    }
}
