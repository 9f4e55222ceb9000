package io.meterline.platform.graphql.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.ServerTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A socket that never sends connection_init is closed with 4408. A server of its own with a short
 * timeout, so the other protocol tests keep the default and never race it on a busy machine.
 */
class GraphQLWsInitTimeoutIT extends ServerTest {

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put("meterline.graphql-ws.init-timeout", "500ms");
        return properties;
    }

    @Test
    void noInitWithinTheTimeoutIsClosedWith4408() {
        try (WsClient client = WsClient.connect(server.getURI(), jsonMapper)) {
            long started = System.nanoTime();
            assertThat(client.awaitClose(Duration.ofSeconds(10))).isEqualTo(new WsClient.Closed(4408, "Connection initialisation timeout"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }
}
