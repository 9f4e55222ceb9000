package io.meterline.platform.bus;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;

/**
 * Where Meterline's state lives in Redis when {@code redis.uri} is set ({@code meterline.redis.*}); every default
 * lives in application.yml.
 *
 * @param prefix the start of every channel (the message bus) and key (the budget reservation book, the GraphQL cost
 *               budget), so several deployments (or test runs) can share one Redis
 */
@ConfigurationProperties("meterline.redis")
public record RedisConfiguration(@NotBlank String prefix) {
}
