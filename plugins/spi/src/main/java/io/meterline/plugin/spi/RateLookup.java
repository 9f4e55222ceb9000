package io.meterline.plugin.spi;

import java.util.Optional;

/** Finds the rate in effect for a model and meter at the time of the event being priced. */
@FunctionalInterface
public interface RateLookup {

    /**
     * The rate of a model's meter, falling back to the provider's {@link Rate#ANY_MODEL} rate.
     *
     * @param model the model id
     * @param meter the meter key
     * @return the rate, or empty when the price book has none for that time
     */
    Optional<Rate> find(String model, String meter);
}
