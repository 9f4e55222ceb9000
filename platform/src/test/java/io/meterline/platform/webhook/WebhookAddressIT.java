package io.meterline.platform.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks as a port scanner: internal addresses are refused when an endpoint is saved and again when a delivery
 * connects (DNS rebinding), redirects are not followed, and the delivery log keeps an outcome class, never the peer's bytes.
 */
class WebhookAddressIT extends ServerTest {

    private static final String CREATE = "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
            + " webhookEndpoint { id url } secret userErrors { field message code } } }";
    private static final String DELIVERIES = "query($id: ID!) { webhookDeliveries(endpointId: $id, first: 10) { totalCount"
            + " nodes { status attemptCount lastStatusCode lastError } } }";
    /** What MariaDB writes first on a new connection, with a marker no outcome class could contain. */
    private static final byte[] DATABASE_HANDSHAKE = ("d\u0000\u0000\u0000\n5.5.5-10.11.6-MariaDB-SECRET-BANNER\u0000"
            + "\u0007\u0000\u0000\u0000X7#kq!Zp\u0000\u00fe\u00f7-\u0002\u0000\u00ff\u0081\u0015mysql_native_password\u0000").getBytes(StandardCharsets.ISO_8859_1);

    @Inject
    WebhookService webhooks;

    @Inject
    WebhookDispatcher dispatcher;

    @Inject
    FakeHostResolver dns;

    @Inject
    TransactionOperations<Connection> transactions;

    WireMockServer receiver;
    Rows rows;
    Fixtures.Tenant tenant;
    long organizationId;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put(FakeHostResolver.ENABLE, "true");
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        // One attempt per delivery, short, so each test reads its outcome after one dispatch.
        properties.put("meterline.webhooks.max-attempts", "1");
        properties.put("meterline.webhooks.timeout", "1s");
        properties.put("meterline.webhooks.allow-http", "true");
        // The local receivers are reached as localhost only; 127.0.0.1 and every other internal address stay refused.
        properties.put("meterline.webhooks.allowed-hosts", "localhost");
        return properties;
    }

    @BeforeAll
    void setUp() {
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "hooks-ssrf", "UTC");
        organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    @AfterAll
    void stopReceiver() {
        receiver.stop();
    }

    private long endpointRows() {
        return rows.count("SELECT COUNT(*) FROM webhook_endpoint");
    }

    private String createEndpoint(String url) {
        TestApi.Response response = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("url", url, "eventTypes", List.of("balance.low"))));
        assertThat(response.at("data.webhookEndpointCreate.userErrors")).as(response.body()).isEqualTo(List.of());
        return (String) response.at("data.webhookEndpointCreate.webhookEndpoint.id");
    }

    /** Sends one event to the endpoint (and to nothing else: each test deletes its endpoint) and answers its log entry. */
    private Map<String, Object> deliverOnce(String endpointId) {
        assertThat(webhooks.enqueue(organizationId, "balance.low", Map.of("balance", "0.42"))).isEqualTo(1);
        dispatcher.dispatchDue();
        TestApi.Response log = api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpointId));
        api.graphql(tenant.adminToken(), "mutation($id: ID!) { webhookEndpointDelete(input: {id: $id}) { userErrors { code } } }", Map.of("id", endpointId));
        assertThat(log.at("data.webhookDeliveries.totalCount")).as(log.body()).isEqualTo(1);
        Map<String, Object> entry = new HashMap<>();
        for (String field : List.of("status", "attemptCount", "lastStatusCode", "lastError")) {
            entry.put(field, log.at("data.webhookDeliveries.nodes.0." + field));
        }
        return entry;
    }

    @Test
    void internalAddressesInAnySpellingAreRefusedWhenSavedAndNothingIsStored() {
        dns.answer("internal.hooks.test", "10.0.0.7");
        dns.answer("metadata.hooks.test", "93.184.216.34", "169.254.169.254");
        dns.unknown("nowhere.hooks.test");
        Map<String, String> hostile = Map.ofEntries(
                Map.entry("http://127.0.0.1:3306", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://169.254.169.254/latest/meta-data/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://10.0.0.1/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://172.16.0.1/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://192.168.1.1:8080/admin", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://100.64.0.1/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://0.0.0.0:6379/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://224.0.0.1/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://192.0.2.1/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://[::1]:3306/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://[fe80::1]/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://[fd00::1]/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://[::ffff:127.0.0.1]:3306/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://[64:ff9b::a00:1]/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://2130706433:3306/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://0x7f.1:3306/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://017700000001:3306/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("http://127.1:3306/", "ADDRESS_NOT_ALLOWED"),
                Map.entry("https://internal.hooks.test/in", "ADDRESS_NOT_ALLOWED"),
                Map.entry("https://metadata.hooks.test/in", "ADDRESS_NOT_ALLOWED"),
                Map.entry("https://nowhere.hooks.test/in", "HOST_NOT_FOUND"),
                Map.entry("http://localhost@127.0.0.1:3306/", "INVALID"),
                Map.entry("http://1.2.3.4.5/", "INVALID"));
        long before = endpointRows();
        hostile.forEach((url, code) -> {
            TestApi.Response response = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("url", url, "eventTypes", List.of("balance.low"))));
            assertThat(response.at("data.webhookEndpointCreate.webhookEndpoint")).as(url + " " + response.body()).isNull();
            assertThat(response.at("data.webhookEndpointCreate.secret")).as(url).isNull();
            assertThat(response.at("data.webhookEndpointCreate.userErrors.0.field")).as(url).isEqualTo(List.of("input", "url"));
            assertThat(response.codes("data.webhookEndpointCreate.userErrors")).as(url).containsExactly(code);
        });
        assertThat(endpointRows()).isEqualTo(before);
    }

    @Test
    void aNameThatRebindsToLoopbackAfterSavingIsRefusedAtDelivery() throws Exception {
        try (RawListener listener = RawListener.answering("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) {
            dns.answer("rebind.hooks.test", "93.184.216.34");
            String endpointId = createEndpoint("http://rebind.hooks.test:" + listener.port() + "/in");
            int lookupsWhenSaved = dns.lookups("rebind.hooks.test");
            assertThat(lookupsWhenSaved).isEqualTo(1);
            dns.answer("rebind.hooks.test", "127.0.0.1");

            Map<String, Object> entry = deliverOnce(endpointId);

            assertThat(entry.get("lastError")).isEqualTo("Address not allowed");
            assertThat(entry.get("status")).isEqualTo("FAILED");
            assertThat(entry.get("lastStatusCode")).isNull();
            assertThat(dns.lookups("rebind.hooks.test")).isGreaterThan(lookupsWhenSaved);
            // Had the delivery connected, the listener would have answered 200 and the delivery would be DELIVERED.
            assertThat(listener.connections()).isZero();
        }
    }

    @Test
    void anEndpointStoredWithAnInternalAddressBeforeTheCheckIsRefusedAtDelivery() throws Exception {
        try (RawListener listener = RawListener.answering("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) {
            rows.execute("INSERT INTO webhook_endpoint (organization_id, url, event_types, signing_secret, created_at) VALUES (?, ?, 'balance.low', 'whsec_old', ?)",
                    organizationId, "http://127.0.0.1:" + listener.port() + "/in", Timestamp.from(Instant.now()));
            long rowId = ((Number) rows.value("SELECT MAX(id) FROM webhook_endpoint WHERE organization_id = ?", organizationId)).longValue();

            Map<String, Object> entry = deliverOnce(GlobalId.encode(WebhookService.ENDPOINT_TYPE, rowId));

            assertThat(entry.get("lastError")).isEqualTo("Address not allowed");
            assertThat(entry.get("status")).isEqualTo("FAILED");
            assertThat(listener.connections()).isZero();
        }
    }

    @Test
    void aPeerAnsweringDatabaseBytesLeavesOnlyAnOutcomeClass() throws Exception {
        try (RawListener database = RawListener.answering(DATABASE_HANDSHAKE)) {
            String endpointId = createEndpoint("http://localhost:" + database.port() + "/in");

            Map<String, Object> entry = deliverOnce(endpointId);

            assertThat(database.connections()).isEqualTo(1);
            assertThat(entry.get("lastError")).isEqualTo("Invalid HTTP response");
            assertThat(entry.get("lastStatusCode")).isNull();
            String stored = (String) rows.value("SELECT last_error FROM webhook_delivery WHERE endpoint_id = ?", GlobalId.require(endpointId, WebhookService.ENDPOINT_TYPE));
            assertThat(stored).isEqualTo("Invalid HTTP response").doesNotContain("MariaDB").doesNotContain("SECRET").doesNotContain("5.5.5").doesNotContain("\u0000");
        }
    }

    @Test
    void aRedirectIsNotFollowed() {
        receiver.stubFor(post(urlEqualTo("/redirect")).willReturn(aResponse().withStatus(302).withHeader("Location", receiver.baseUrl() + "/target")));
        receiver.stubFor(post(urlEqualTo("/target")).willReturn(aResponse().withStatus(200)));
        String endpointId = createEndpoint(receiver.baseUrl() + "/redirect");

        Map<String, Object> entry = deliverOnce(endpointId);

        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/redirect")))).hasSize(1);
        assertThat(receiver.findAll(anyRequestedFor(urlEqualTo("/target")))).isEmpty();
        assertThat(entry.get("lastError")).isEqualTo("HTTP status 302");
        assertThat(entry.get("lastStatusCode")).isEqualTo(302);
        assertThat(entry.get("status")).isEqualTo("FAILED");
    }

    @Test
    void aSilentPeerIsATimeout() throws Exception {
        try (RawListener silent = RawListener.silent()) {
            String endpointId = createEndpoint("http://localhost:" + silent.port() + "/in");
            Map<String, Object> entry = deliverOnce(endpointId);
            assertThat(silent.connections()).isEqualTo(1);
            assertThat(entry.get("lastError")).isEqualTo("Timeout");
            assertThat(entry.get("lastStatusCode")).isNull();
        }
    }

    @Test
    void aClosedPortIsConnectionRefused() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        String endpointId = createEndpoint("http://localhost:" + port + "/in");
        assertThat(deliverOnce(endpointId).get("lastError")).isEqualTo("Connection refused");
    }

    @Test
    void aNameThatDisappearsAfterSavingIsADnsFailure() {
        dns.answer("vanishing.hooks.test", "93.184.216.34");
        String endpointId = createEndpoint("http://vanishing.hooks.test/in");
        dns.unknown("vanishing.hooks.test");
        Map<String, Object> entry = deliverOnce(endpointId);
        assertThat(entry.get("lastError")).isEqualTo("DNS failure");
        assertThat(entry.get("lastStatusCode")).isNull();
    }

    /** A TCP listener on 127.0.0.1 that writes fixed bytes to each connection and closes it, or stays silent. */
    private static final class RawListener implements AutoCloseable {

        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        private RawListener(byte[] answer) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        connections.incrementAndGet();
                        if (answer == null) {
                            open.add(connection);
                            continue;
                        }
                        try (connection; OutputStream out = connection.getOutputStream()) {
                            out.write(answer);
                            out.flush();
                        }
                    }
                    catch (IOException e) {
                        // Closed by the test, or a client that went away: either way the next accept decides.
                    }
                }
            }, "raw-listener");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static RawListener answering(byte[] answer) throws IOException {
            return new RawListener(answer);
        }

        /** Accepts and never writes, so the client waits for an answer. */
        static RawListener silent() throws IOException {
            return new RawListener(null);
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : open) {
                connection.close();
            }
        }
    }
}
