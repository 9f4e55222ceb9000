package io.meterline.platform.fx;

import java.util.Objects;
import java.util.Set;

/**
 * Published on the instance that stored new exchange rates (fxRateSet, the ECB loader, the bundled
 * file), after they committed and the converter forgot its cached ones, so amounts held for want of
 * a rate can be converted now.
 *
 * @param currencies the currencies that got rates
 * @param by who stored them: the admin's email, {@code ECB} or {@code bundled}
 */
public record FxRatesStored(Set<String> currencies, String by) {

    public FxRatesStored {
        currencies = Set.copyOf(currencies);
        Objects.requireNonNull(by, "by is null");
    }
}
