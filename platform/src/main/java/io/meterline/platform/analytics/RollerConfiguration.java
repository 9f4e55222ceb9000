package io.meterline.platform.analytics;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The usage roller ({@code meterline.analytics.*}); every default lives in application.yml.
 *
 * @param scheduledRoll whether this instance rolls usage into rollups on its schedule (tests roll by hand)
 * @param markTtl how long a read of the roll's mark serves later reads on this instance
 */
@ConfigurationProperties("meterline.analytics")
public record RollerConfiguration(boolean scheduledRoll, @NotNull Duration markTtl) {
}
