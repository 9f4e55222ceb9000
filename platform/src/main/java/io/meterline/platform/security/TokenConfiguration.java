package io.meterline.platform.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How access tokens are checked against the user's current token version ({@code meterline.tokens.*}).
 *
 * @param versionCacheTtl how long an instance trusts a user's version it read, should an
 *                        invalidation on the message bus be lost; the bus normally ends it at once
 */
@ConfigurationProperties("meterline.tokens")
public record TokenConfiguration(@NotNull Duration versionCacheTtl) {
}
