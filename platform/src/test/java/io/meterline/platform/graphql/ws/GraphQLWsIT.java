package io.meterline.platform.graphql.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.micronaut.security.token.generator.TokenGenerator;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The graphql-transport-ws protocol at /graphql-ws over a real socket: handshake, close codes, ping, operations. */
class GraphQLWsIT extends ServerTest {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    @Inject
    TokenGenerator tokenGenerator;

    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        tenant = Fixtures.tenant(api, "ws-tenant", "UTC");
    }

    private WsClient connect() {
        return WsClient.connect(server.getURI(), jsonMapper);
    }

    @Test
    void theSubProtocolIsEchoedAndABearerTokenIsAcknowledged() {
        try (WsClient client = connect()) {
            assertThat(client.subprotocol()).isEqualTo("graphql-transport-ws");
            client.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer " + tenant.adminToken())));
            assertThat(client.next()).containsEntry("type", "connection_ack");
        }
    }

    @Test
    void aTokenFieldIsAcceptedToo() {
        try (WsClient client = connect()) {
            client.send(Map.of("type", "connection_init", "payload", Map.of("token", tenant.memberToken())));
            assertThat(client.next()).containsEntry("type", "connection_ack");
        }
    }

    @Test
    void theAuthorizationKeyIsReadInAnyCaseAndInsideHeaders() {
        List<Map<String, Object>> payloads = List.of(Map.of("Authorization", "Bearer " + tenant.memberToken()),
                Map.of("AUTHORIZATION", "bearer " + tenant.memberToken()),
                Map.of("headers", Map.of("Authorization", "Bearer " + tenant.memberToken())));
        for (Map<String, Object> payload : payloads) {
            try (WsClient client = connect()) {
                client.send(Map.of("type", "connection_init", "payload", payload));
                assertThat(client.next()).as(payload.keySet().toString()).containsEntry("type", "connection_ack");
            }
        }
    }

    @Test
    void twoSpellingsOfTheAuthorizationKeyAreRefused() {
        // Which one would count is unclear, so neither does: a forged second key cannot ride on a valid first one.
        Map<String, Object> payload = Map.of("authorization", "Bearer " + tenant.memberToken(), "Authorization", "Bearer forged");
        try (WsClient client = connect()) {
            client.send(Map.of("type", "connection_init", "payload", payload));
            assertThat(client.awaitClose(CLOSE_WAIT)).isEqualTo(new WsClient.Closed(4403, "Forbidden"));
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.send(Map.of("type", "ping"));
            assertThat(client.next()).containsEntry("type", "pong");
            client.send(Map.of("type", "ping", "payload", Map.of("at", "now")));
            assertThat(client.next()).containsEntry("type", "pong").containsEntry("payload", Map.of("at", "now"));
        }
    }

    @Test
    void aBadTokenIsClosedWith4403() {
        for (Map<String, Object> payload : List.<Map<String, Object>>of(Map.of("authorization", "Bearer not-a-jwt"), Map.of("token", tenant.adminToken() + "x"), Map.of())) {
            try (WsClient client = connect()) {
                client.send(Map.of("type", "connection_init", "payload", payload));
                assertThat(client.awaitClose(CLOSE_WAIT)).as(payload.toString()).isEqualTo(new WsClient.Closed(4403, "Forbidden"));
            }
        }
    }

    @Test
    void anExpiredTokenIsClosedWith4403() {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", tenant.adminEmail());
        claims.put("roles", List.of("ORG_ADMIN"));
        claims.put("uid", 1);
        claims.put("org", 1);
        claims.put("iat", Instant.now().minusSeconds(7200).getEpochSecond());
        claims.put("exp", Instant.now().minusSeconds(3600).getEpochSecond());
        String expired = tokenGenerator.generateToken(claims).orElseThrow();
        try (WsClient client = connect()) {
            client.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer " + expired)));
            assertThat(client.awaitClose(CLOSE_WAIT)).isEqualTo(new WsClient.Closed(4403, "Forbidden"));
        }
    }

    @Test
    void aSecondInitIsClosedWith4429() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.send(Map.of("type", "connection_init", "payload", Map.of("token", tenant.adminToken())));
            assertThat(client.awaitClose(CLOSE_WAIT)).isEqualTo(new WsClient.Closed(4429, "Too many initialisation requests"));
        }
    }

    @Test
    void subscribeBeforeAckIsClosedWith4401() {
        try (WsClient client = connect()) {
            client.subscribe("1", "{ activeAlertCount }", Map.of());
            assertThat(client.awaitClose(CLOSE_WAIT)).isEqualTo(new WsClient.Closed(4401, "Unauthorized"));
        }
    }

    @Test
    void malformedMessagesAreClosedWith4400() {
        for (String text : List.of("not json", "{\"no\":\"type\"}", "{\"type\":\"teleport\"}", "{\"type\":\"subscribe\",\"id\":\"1\"}", "[1,2]")) {
            try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
                client.sendText(text);
                assertThat(client.awaitClose(CLOSE_WAIT).code()).as(text).isEqualTo(4400);
            }
        }
    }

    @Test
    void aDuplicateOperationIdIsClosedWith4409() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.subscribe("op-1", "subscription { alertRaised { sequence } }", Map.of());
            client.subscribe("op-1", "subscription { alertRaised { sequence } }", Map.of());
            assertThat(client.awaitClose(CLOSE_WAIT)).isEqualTo(new WsClient.Closed(4409, "Subscriber for op-1 already exists"));
        }
    }

    @Test
    void queriesAndMutationsAreAnsweredWithNextThenComplete() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.subscribe("q", "query($first: Int) { viewer { user { email } } apiKeys(first: $first) { totalCount } }", Map.of("first", 5));
            Map<String, Object> next = client.next();
            assertThat(next).containsEntry("type", "next").containsEntry("id", "q");
            assertThat(io.meterline.platform.support.TestApi.at(next, "payload.data.viewer.user.email")).isEqualTo(tenant.adminEmail());
            assertThat(io.meterline.platform.support.TestApi.at(next, "payload.data.apiKeys.totalCount")).isEqualTo(1);
            assertThat(client.next()).isEqualTo(Map.of("id", "q", "type", "complete"));
            client.subscribe("m", "mutation { ping }", Map.of());
            assertThat(client.next()).containsEntry("type", "next").containsEntry("id", "m");
            assertThat(client.next()).isEqualTo(Map.of("id", "m", "type", "complete"));
            // The finished id may be used again.
            client.subscribe("q", "{ activeAlertCount }", Map.of());
            assertThat(io.meterline.platform.support.TestApi.at(client.next(), "payload.data.activeAlertCount")).isEqualTo(0);
            assertThat(client.next()).containsEntry("type", "complete");
        }
    }

    @Test
    void anInvalidOperationIsAnsweredWithError() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, tenant.adminToken())) {
            client.subscribe("bad", "subscription { noSuchField }", Map.of());
            Map<String, Object> error = client.next();
            assertThat(error).containsEntry("type", "error").containsEntry("id", "bad");
            assertThat(io.meterline.platform.support.TestApi.at(error, "payload.0.message")).asString().contains("noSuchField");
            assertThat(client.poll(Duration.ofMillis(300))).isNull();
            assertThat(client.isClosed()).isFalse();
        }
    }
}
