package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.math.BigDecimal;

/**
 * One priced meter of a stored event, kept with the event so its cost calculation can be shown
 * line by line long after prices changed.
 *
 * @param meter the meter key
 * @param quantity the used quantity
 * @param billableQuantity the charged quantity
 * @param unitPrice the price of {@code per} units, null while unpriced
 * @param per how many units the price buys, null while unpriced
 * @param currency the rate's currency, null while unpriced
 * @param amount the amount after the organization's overrides, rounded once; null while unpriced
 * @param rateId the price book row used, null while unpriced
 * @param rateVersion the version of that rate, null while unpriced
 * @param plugin {@code pluginId@version}
 */
@Serdeable
public record StoredLine(String meter, BigDecimal quantity, BigDecimal billableQuantity, @Nullable BigDecimal unitPrice, @Nullable Long per,
                         @Nullable String currency, @Nullable BigDecimal amount, @Nullable Long rateId, @Nullable Integer rateVersion, String plugin) {

    public boolean priced() {
        return amount != null;
    }
}
