package io.meterline.platform.usage;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * What {@code POST /v1/usage} accepts ({@code meterline.usage.*}; conversion at ingestion is
 * {@link UsageConversionConfiguration}); every default lives in application.yml.
 *
 * @param maxBatchSize the most events one request may carry; a larger batch is refused whole
 * @param maxFutureSkew how far past the server's clock an event's timestamp may be (clients' clocks drift)
 */
@ConfigurationProperties("meterline.usage")
public record UsageConfiguration(@Min(1) int maxBatchSize, @NotNull Duration maxFutureSkew) {
}
