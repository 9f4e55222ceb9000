package io.meterline.platform.usage;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * Conversion of usage into the billing currency ({@code meterline.usage.conversion.*}; the default is in application.yml).
 *
 * @param atIngestion whether ingestion converts each priced event (and holds it when no rate covers its day); off only
 *                    for the ingestion benchmark's baseline: events are then stored without a billing-currency figure and
 *                    are never converted later
 * @param retryInterval how often every instance also tries the held events, for those a rate stored on another
 *                      instance (or while their batch was being stored) did not reach
 */
@ConfigurationProperties("meterline.usage.conversion")
public record UsageConversionConfiguration(boolean atIngestion, Duration retryInterval) {
}
