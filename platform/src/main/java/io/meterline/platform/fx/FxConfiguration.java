package io.meterline.platform.fx;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Exchange rate settings ({@code meterline.fx.*}; the defaults are in application.yml).
 *
 * @param ecbUrl where the ECB loader reads the reference rates XML (daily, 90-day or full history file)
 * @param ecbEnabled whether the ECB loader runs at all
 * @param loadInterval the pause between two loads
 * @param timeout how long one request may take, connecting included
 * @param maxAttempts attempts per load before its status reads FAILED
 * @param backoff the waits after the 1st, 2nd, ... failed attempt; the last repeats
 * @param lease how long a load is hidden from other instances; longer than every attempt and wait together
 * @param maxResponseBytes a larger answer is refused
 * @param cacheTtl how long an instance trusts that a day without its own rate has none
 * @param maxRateAge how old the newest stored rate may be before fxStatus reads stale
 * @param bundledResource the classpath resource of past rates stored at start when missing; empty means none
 */
@ConfigurationProperties("meterline.fx")
public record FxConfiguration(URI ecbUrl, boolean ecbEnabled, Duration loadInterval, Duration timeout, int maxAttempts, List<Duration> backoff,
                              Duration lease, long maxResponseBytes, Duration cacheTtl, Duration maxRateAge, @Nullable String bundledResource) {

    public FxConfiguration {
        Objects.requireNonNull(ecbUrl, "meterline.fx.ecb-url is not set");
        Objects.requireNonNull(timeout, "meterline.fx.timeout is not set");
        Objects.requireNonNull(lease, "meterline.fx.lease is not set");
        Objects.requireNonNull(cacheTtl, "meterline.fx.cache-ttl is not set");
        Objects.requireNonNull(maxRateAge, "meterline.fx.max-rate-age is not set");
        if (!"http".equals(ecbUrl.getScheme()) && !"https".equals(ecbUrl.getScheme())) {
            throw new IllegalArgumentException("meterline.fx.ecb-url must be an http or https URL");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("meterline.fx.max-attempts is at least 1, got " + maxAttempts);
        }
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("meterline.fx.max-response-bytes is at least 1, got " + maxResponseBytes);
        }
        backoff = backoff == null ? List.of() : List.copyOf(backoff);
        bundledResource = bundledResource == null || bundledResource.isBlank() ? null : bundledResource;
    }

    /** The wait after failed attempt number {@code attempt} (1-based). */
    Duration backoffAfter(int attempt) {
        if (backoff.isEmpty()) {
            return Duration.ZERO;
        }
        return backoff.get(Math.min(attempt, backoff.size()) - 1);
    }
}
