package io.meterline.platform.graphql.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.ServerTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The protocol's timers: a socket that never sends connection_init is closed with 4408, an
 * acknowledged one gets keep-alive pings. A server of its own with short timers, so the other
 * protocol tests keep the defaults and never race them on a busy machine.
 */
class GraphQLWsTimersIT extends ServerTest {

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put("meterline.graphql-ws.init-timeout", "500ms");
        properties.put("meterline.graphql-ws.keep-alive", "300ms");
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

    @Test
    void anAcknowledgedConnectionGetsKeepAlivePings() {
        String token = api.adminToken();
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, token)) {
            assertThat(client.next()).isEqualTo(Map.of("type", "ping"));
            assertThat(client.next()).isEqualTo(Map.of("type", "ping"));
        }
    }
}
