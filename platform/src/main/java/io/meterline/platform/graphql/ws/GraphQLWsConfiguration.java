package io.meterline.platform.graphql.ws;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The graphql-transport-ws endpoint ({@code meterline.graphql-ws.*}); every default lives in application.yml.
 *
 * @param initTimeout how long a new websocket may wait before sending {@code connection_init} (closed with 4408 after)
 * @param keepAlive how often the server pings each acknowledged websocket
 */
@ConfigurationProperties("meterline.graphql-ws")
public record GraphQLWsConfiguration(@NotNull Duration initTimeout, @NotNull Duration keepAlive) {
}
