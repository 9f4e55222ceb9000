package io.meterline.platform.webhook;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.util.List;

/**
 * How webhooks are sent ({@code meterline.webhooks.*}).
 *
 * @param dispatchInterval the pause between two dispatcher runs
 * @param timeout how long one attempt may take, connecting included
 * @param maxAttempts attempts before a delivery is given up as FAILED
 * @param backoff the waits after the 1st, 2nd, ... failed attempt; the last repeats
 * @param batchSize deliveries claimed per run
 * @param lease how long a claimed delivery is hidden from other instances; longer than {@code timeout}
 * @param allowHttp whether endpoints may use plain {@code http}; off in production so signatures and payloads travel encrypted
 * @param allowedHosts host names trusted whatever they resolve to (exact, case-insensitive), such as a receiver inside the
 *                     operator's own network; unset means none
 * @param allowedNetworks CIDR networks ({@code 10.1.2.0/24}, {@code fd00::/64}) that endpoints may reach although they are
 *                        private, loopback or otherwise refused; unset means none
 */
@ConfigurationProperties("meterline.webhooks")
public record WebhookConfiguration(
        Duration dispatchInterval,
        Duration timeout,
        int maxAttempts,
        List<Duration> backoff,
        int batchSize,
        Duration lease,
        boolean allowHttp,
        @Nullable List<String> allowedHosts,
        @Nullable List<String> allowedNetworks) {

    public WebhookConfiguration {
        // Empty lists are absent properties once bound: none allowed.
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        allowedNetworks = allowedNetworks == null ? List.of() : List.copyOf(allowedNetworks);
    }

    /** The wait after a failed attempt number {@code attempt} (1-based). */
    Duration backoffAfter(int attempt) {
        if (backoff.isEmpty()) {
            return Duration.ZERO;
        }
        return backoff.get(Math.min(attempt, backoff.size()) - 1);
    }
}
