package io.meterline.platform.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Webhook endpoints, the outbox and the dispatcher, against WireMock as the receiver. */
class WebhookIT extends ServerTest {

    private static final String CREATE = "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {"
            + " webhookEndpoint { id url eventTypes description } secret userErrors { field message code } } }";
    private static final String DELIVERIES = "query($id: ID!) { webhookDeliveries(endpointId: $id, first: 10) { totalCount"
            + " nodes { id eventType payload status attemptCount lastStatusCode lastError nextAttemptAt deliveredAt endpoint { id } } } }";

    @Inject
    WebhookService webhooks;

    @Inject
    WebhookDispatcher dispatcher;

    @Inject
    TransactionOperations<Connection> transactions;

    WireMockServer receiver;
    Rows rows;
    Fixtures.Tenant tenant;
    Fixtures.Tenant other;
    long organizationId;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        // Tests run the dispatcher themselves and must not wait for backoff.
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        properties.put("meterline.webhooks.backoff", "0s");
        properties.put("meterline.webhooks.max-attempts", "3");
        properties.put("meterline.webhooks.timeout", "2s");
        properties.put("meterline.webhooks.batch-size", "5");
        // The WireMock receiver is http://localhost:<port>: loopback, which webhooks reach only when the operator allows it.
        properties.put("meterline.webhooks.allow-http", "true");
        properties.put("meterline.webhooks.allowed-hosts", "localhost");
        return properties;
    }

    @BeforeAll
    void setUp() {
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "hooks", "UTC");
        other = Fixtures.tenant(api, "hooks-other", "UTC");
        organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    @AfterAll
    void stopReceiver() {
        receiver.stop();
    }

    /** A fresh organization per test, so one test's endpoints never receive another test's events. */
    private Fixtures.Tenant fresh(String slug) {
        return Fixtures.tenant(api, slug, "UTC");
    }

    private static long rowId(Fixtures.Tenant tenant) {
        return GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    private Map<String, Object> createEndpoint(String token, String path, List<String> types) {
        TestApi.Response response = api.graphql(token, CREATE, Map.of("input", Map.of("url", receiver.baseUrl() + path, "eventTypes", types, "description", "test " + path)));
        assertThat(response.at("data.webhookEndpointCreate.userErrors")).as(response.body()).isEqualTo(List.of());
        Map<String, Object> created = new HashMap<>();
        created.put("id", response.at("data.webhookEndpointCreate.webhookEndpoint.id"));
        created.put("secret", response.at("data.webhookEndpointCreate.secret"));
        return created;
    }

    @Test
    void aDeliveryIsSignedSoTheReceiverCanVerifyIt() {
        Fixtures.Tenant tenant = fresh("hooks-signed");
        long organizationId = rowId(tenant);
        receiver.stubFor(post(urlEqualTo("/signed")).willReturn(aResponse().withStatus(204)));
        Map<String, Object> endpoint = createEndpoint(tenant.adminToken(), "/signed", List.of("budget.threshold"));
        String secret = (String) endpoint.get("secret");
        assertThat(secret).startsWith("whsec_");

        long before = Instant.now().getEpochSecond();
        assertThat(webhooks.enqueue(organizationId, "budget.threshold", Map.of("budget", "Monthly", "percent", 80))).isEqualTo(1);
        dispatcher.dispatchDue();

        List<LoggedRequest> received = receiver.findAll(postRequestedFor(urlEqualTo("/signed")));
        assertThat(received).hasSize(1);
        LoggedRequest request = received.get(0);
        String body = request.getBodyAsString();
        assertThat(request.getHeader("Meterline-Event")).isEqualTo("budget.threshold");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        String signature = request.getHeader("Meterline-Signature");
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        String timestamp = signature.substring(2, signature.indexOf(','));
        assertThat(Long.parseLong(timestamp)).isBetween(before - 1, Instant.now().getEpochSecond() + 1);
        // What a receiver does: HMAC-SHA256 of "<t>.<raw body>" with its secret, compared to v1.
        assertThat(signature.substring(signature.indexOf("v1=") + 3)).isEqualTo(WebhookSigner.hmac(secret, timestamp + "." + body));
        assertThat(WebhookSigner.hmac("whsec_another", timestamp + "." + body)).isNotEqualTo(signature.substring(signature.indexOf("v1=") + 3));
        assertThat(body).contains("\"type\":\"budget.threshold\"").contains("\"budget\":\"Monthly\"").contains("\"percent\":80")
                .contains(tenant.organizationId());

        TestApi.Response log = api.graphql(tenant.memberToken(), DELIVERIES, Map.of("id", endpoint.get("id")));
        assertThat(log.at("data.webhookDeliveries.totalCount")).as(log.body()).isEqualTo(1);
        assertThat(log.at("data.webhookDeliveries.nodes.0.id")).isEqualTo(request.getHeader("Meterline-Delivery"));
        assertThat(log.at("data.webhookDeliveries.nodes.0.status")).isEqualTo("DELIVERED");
        assertThat(log.at("data.webhookDeliveries.nodes.0.attemptCount")).isEqualTo(1);
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastStatusCode")).isEqualTo(204);
        assertThat(log.at("data.webhookDeliveries.nodes.0.payload")).isEqualTo(body);
        assertThat(log.at("data.webhookDeliveries.nodes.0.deliveredAt")).isNotNull();
        assertThat(log.at("data.webhookDeliveries.nodes.0.nextAttemptAt")).isNull();
        assertThat(log.at("data.webhookDeliveries.nodes.0.endpoint.id")).isEqualTo(endpoint.get("id"));
    }

    @Test
    void aFailedAttemptIsRetriedAndDeliveredOnTheSecondAttempt() {
        Fixtures.Tenant tenant = fresh("hooks-retry");
        long organizationId = rowId(tenant);
        receiver.stubFor(post(urlEqualTo("/flaky")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
        receiver.stubFor(post(urlEqualTo("/flaky")).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200)));
        Map<String, Object> endpoint = createEndpoint(tenant.adminToken(), "/flaky", List.of("balance.low"));

        webhooks.enqueue(organizationId, "balance.low", Map.of("balance", "0.50"));
        dispatcher.dispatchDue();

        List<LoggedRequest> received = receiver.findAll(postRequestedFor(urlEqualTo("/flaky")));
        assertThat(received).hasSize(2);
        assertThat(received.get(1).getHeader("Meterline-Delivery")).isEqualTo(received.get(0).getHeader("Meterline-Delivery"));
        assertThat(received.get(1).getBodyAsString()).isEqualTo(received.get(0).getBodyAsString());
        TestApi.Response log = api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpoint.get("id")));
        assertThat(log.at("data.webhookDeliveries.nodes.0.status")).as(log.body()).isEqualTo("DELIVERED");
        assertThat(log.at("data.webhookDeliveries.nodes.0.attemptCount")).isEqualTo(2);
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastStatusCode")).isEqualTo(200);
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastError")).isNull();
    }

    @Test
    void aDeliveryIsGivenUpAfterTheLastAttemptWithItsStatusAndErrorLogged() {
        Fixtures.Tenant tenant = fresh("hooks-give-up");
        long organizationId = rowId(tenant);
        receiver.stubFor(post(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
        Map<String, Object> endpoint = createEndpoint(tenant.adminToken(), "/down", List.of("balance.low"));

        webhooks.enqueue(organizationId, "balance.low", Map.of("balance", "0.10"));
        dispatcher.dispatchDue();
        dispatcher.dispatchDue();

        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/down")))).hasSize(3);
        TestApi.Response log = api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpoint.get("id")));
        assertThat(log.at("data.webhookDeliveries.nodes.0.status")).as(log.body()).isEqualTo("FAILED");
        assertThat(log.at("data.webhookDeliveries.nodes.0.attemptCount")).isEqualTo(3);
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastStatusCode")).isEqualTo(503);
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastError")).isEqualTo("HTTP status 503");
        assertThat(log.at("data.webhookDeliveries.nodes.0.nextAttemptAt")).isNull();
    }

    @Test
    void anUnreachableReceiverIsLoggedAsAnErrorWithoutStatus() {
        Fixtures.Tenant tenant = fresh("hooks-unreachable");
        long organizationId = rowId(tenant);
        TestApi.Response response = api.graphql(tenant.adminToken(), CREATE,
                Map.of("input", Map.of("url", "http://localhost:1/nothing-listens", "eventTypes", List.of("balance.low"))));
        String endpointId = (String) response.at("data.webhookEndpointCreate.webhookEndpoint.id");
        webhooks.enqueue(organizationId, "balance.low", Map.of("balance", "0.01"));
        dispatcher.dispatchDue();
        TestApi.Response log = api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpointId));
        assertThat(log.at("data.webhookDeliveries.nodes.0.status")).as(log.body()).isEqualTo("FAILED");
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastStatusCode")).isNull();
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastError")).isEqualTo("Connection refused");
        api.graphql(tenant.adminToken(), "mutation($id: ID!) { webhookEndpointDelete(input: {id: $id}) { userErrors { code } } }", Map.of("id", endpointId));
    }

    @Test
    void replaySendsALoggedDeliveryAgain() {
        Fixtures.Tenant tenant = fresh("hooks-replay");
        long organizationId = rowId(tenant);
        receiver.stubFor(post(urlEqualTo("/replay")).willReturn(aResponse().withStatus(200)));
        Map<String, Object> endpoint = createEndpoint(tenant.adminToken(), "/replay", List.of("budget.threshold"));
        webhooks.enqueue(organizationId, "budget.threshold", Map.of("budget", "Daily"));
        dispatcher.dispatchDue();
        String deliveryId = (String) api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpoint.get("id"))).at("data.webhookDeliveries.nodes.0.id");

        TestApi.Response member = api.graphql(tenant.memberToken(), "mutation($id: ID!) { webhookDeliveryReplay(input: {id: $id}) { webhookDelivery { id } } }", Map.of("id", deliveryId));
        assertThat(member.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response replayed = api.graphql(tenant.adminToken(), "mutation($id: ID!) { webhookDeliveryReplay(input: {id: $id}) {"
                + " webhookDelivery { id status attemptCount } userErrors { code } } }", Map.of("id", deliveryId));
        assertThat(replayed.at("data.webhookDeliveryReplay.webhookDelivery.status")).as(replayed.body()).isEqualTo("PENDING");
        assertThat(replayed.at("data.webhookDeliveryReplay.webhookDelivery.id")).isNotEqualTo(deliveryId);
        dispatcher.dispatchDue();

        List<LoggedRequest> received = receiver.findAll(postRequestedFor(urlEqualTo("/replay")));
        assertThat(received).hasSize(2);
        assertThat(received.get(1).getBodyAsString()).isEqualTo(received.get(0).getBodyAsString());
        assertThat(received.get(1).getHeader("Meterline-Delivery")).isEqualTo(replayed.at("data.webhookDeliveryReplay.webhookDelivery.id"));
        TestApi.Response log = api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpoint.get("id")));
        assertThat(log.at("data.webhookDeliveries.totalCount")).isEqualTo(2);
        assertThat(log.pluck("data.webhookDeliveries.nodes", "status")).containsExactly("DELIVERED", "DELIVERED");
    }

    @Test
    void onlyHttpAndHttpsUrlsAreAcceptedAndARefusedInputStoresNothing() {
        long endpoints = rows.count("SELECT COUNT(*) FROM webhook_endpoint");
        for (String url : List.of("ftp://example.com/hook", "javascript:alert(1)", "file:///etc/passwd", "example.com/hook", "http://", "")) {
            TestApi.Response response = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("url", url, "eventTypes", List.of("budget.threshold"))));
            assertThat(response.at("data.webhookEndpointCreate.webhookEndpoint")).as(url).isNull();
            assertThat(response.at("data.webhookEndpointCreate.secret")).as(url).isNull();
            assertThat(response.at("data.webhookEndpointCreate.userErrors.0.field")).as(url).isEqualTo(List.of("input", "url"));
            assertThat(response.at("data.webhookEndpointCreate.userErrors.0.code")).as(url).isIn("INVALID", "BLANK");
        }
        TestApi.Response ftp = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("url", "ftp://example.com/hook", "eventTypes", List.of("budget.threshold"))));
        assertThat(ftp.codes("data.webhookEndpointCreate.userErrors")).containsExactly("INVALID");
        TestApi.Response unknownType = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("url", receiver.baseUrl() + "/hook", "eventTypes", List.of("invoice.drafted"))));
        assertThat(unknownType.at("data.webhookEndpointCreate.userErrors.0.field")).isEqualTo(List.of("input", "eventTypes"));
        assertThat(unknownType.codes("data.webhookEndpointCreate.userErrors")).containsExactly("INVALID");
        TestApi.Response noType = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("url", receiver.baseUrl() + "/hook", "eventTypes", List.of())));
        assertThat(noType.codes("data.webhookEndpointCreate.userErrors")).containsExactly("BLANK");
        TestApi.Response member = api.graphql(tenant.memberToken(), CREATE, Map.of("input", Map.of("url", receiver.baseUrl() + "/hook", "eventTypes", List.of("balance.low"))));
        assertThat(member.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_endpoint")).isEqualTo(endpoints);
        assertThat(api.graphql(tenant.memberToken(), "{ webhookEventTypes }").at("data.webhookEventTypes")).isEqualTo(List.of("budget.threshold", "balance.low", "usage.anomaly",
                "billing.payment_failed", "report.completed", "usage.daily_summary", "invoice.finalized", "invoice.paid", "invoice.payment_failed", "invoice.voided",
                "invoice.credit_note_created"));
    }

    @Test
    void eventsGoOnlyToLiveEndpointsSubscribedToTheirTypeAndOnlyWhenTheCallerCommits() {
        Fixtures.Tenant other = fresh("hooks-routing");
        long mine = rowId(other);
        receiver.stubFor(post(urlEqualTo("/routing")).willReturn(aResponse().withStatus(200)));
        Map<String, Object> budgets = createEndpoint(other.adminToken(), "/routing", List.of("budget.threshold"));
        Map<String, Object> both = createEndpoint(other.adminToken(), "/routing", List.of("budget.threshold", "balance.low"));
        Map<String, Object> deleted = createEndpoint(other.adminToken(), "/routing", List.of("balance.low"));
        TestApi.Response deletion = api.graphql(other.adminToken(), "mutation($id: ID!) { webhookEndpointDelete(input: {id: $id}) { webhookEndpoint { deletedAt } userErrors { code } } }",
                Map.of("id", deleted.get("id")));
        assertThat(deletion.at("data.webhookEndpointDelete.webhookEndpoint.deletedAt")).as(deletion.body()).isNotNull();
        assertThat(api.graphql(other.memberToken(), "{ webhookEndpoints { id } }").pluck("data.webhookEndpoints", "id"))
                .containsExactly(budgets.get("id"), both.get("id"));

        assertThat(webhooks.enqueue(mine, "balance.low", Map.of())).isEqualTo(1);
        assertThat(webhooks.enqueue(mine, "budget.threshold", Map.of())).isEqualTo(2);
        assertThatThrownBy(() -> webhooks.enqueue(mine, "no.such.type", Map.of())).isInstanceOf(IllegalArgumentException.class);
        long written = rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ?", mine);
        assertThat(written).isEqualTo(3);
        // The outbox row is part of the caller's transaction: a rolled-back change leaves no event behind.
        assertThatThrownBy(() -> transactions.executeWrite(status -> {
            webhooks.enqueue(mine, "budget.threshold", Map.of("rolled", "back"));
            throw new IllegalStateException("the caller's change failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_delivery WHERE organization_id = ?", mine)).isEqualTo(written);
        dispatcher.dispatchDue();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/routing")))).hasSize(3);
    }

    @Test
    void dispatchersRunningAtOnceSendEachDeliveryOnce() throws Exception {
        Fixtures.Tenant tenant = fresh("hooks-concurrent");
        receiver.stubFor(post(urlEqualTo("/concurrent")).willReturn(aResponse().withStatus(200).withFixedDelay(20)));
        createEndpoint(tenant.adminToken(), "/concurrent", List.of("balance.low"));
        for (int i = 0; i < 30; i++) {
            webhooks.enqueue(rowId(tenant), "balance.low", Map.of("n", i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(dispatcher::dispatchDue));
            }
            int attempts = 0;
            for (Future<Integer> run : runs) {
                attempts += run.get(60, TimeUnit.SECONDS);
            }
            assertThat(attempts).isEqualTo(30);
        }
        finally {
            pool.shutdownNow();
        }
        List<LoggedRequest> received = receiver.findAll(postRequestedFor(urlEqualTo("/concurrent")));
        assertThat(received).hasSize(30);
        assertThat(received.stream().map(request -> request.getHeader("Meterline-Delivery")).distinct()).hasSize(30);
    }

    @Test
    void aReceiverSlowerThanTheTimeoutCountsAsAFailedAttempt() {
        Fixtures.Tenant tenant = fresh("hooks-slow");
        receiver.stubFor(post(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        Map<String, Object> endpoint = createEndpoint(tenant.adminToken(), "/slow", List.of("balance.low"));
        webhooks.enqueue(rowId(tenant), "balance.low", Map.of());
        dispatcher.dispatchDue();
        TestApi.Response log = api.graphql(tenant.adminToken(), DELIVERIES, Map.of("id", endpoint.get("id")));
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastError")).as(log.body()).isEqualTo("Timeout");
        assertThat(log.at("data.webhookDeliveries.nodes.0.lastStatusCode")).isNull();
        assertThat(log.at("data.webhookDeliveries.nodes.0.status")).isEqualTo("FAILED");
        assertThat(log.at("data.webhookDeliveries.nodes.0.attemptCount")).isEqualTo(3);
    }

    @Test
    void anotherOrganizationsEndpointIsNotFound() {
        Map<String, Object> endpoint = createEndpoint(other.adminToken(), "/private", List.of("balance.low"));
        long before = rows.count("SELECT COUNT(*) FROM webhook_endpoint WHERE deleted_at IS NULL");
        for (String token : List.of(tenant.adminToken(), tenant.memberToken())) {
            assertThat(api.graphql(token, DELIVERIES, Map.of("id", endpoint.get("id"))).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
            assertThat(api.graphql(token, "mutation($id: ID!) { webhookEndpointDelete(input: {id: $id}) { webhookEndpoint { id } } }", Map.of("id", endpoint.get("id")))
                    .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
            assertThat(api.graphql(token, "query($id: ID!) { node(id: $id) { id } }", Map.of("id", endpoint.get("id"))).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
            assertThat(api.graphql(token, "query($org: ID!) { webhookEndpoints(organizationId: $org) { id } }", Map.of("org", other.organizationId()))
                    .at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        }
        assertThat(rows.count("SELECT COUNT(*) FROM webhook_endpoint WHERE deleted_at IS NULL")).isEqualTo(before);
        TestApi.Response own = api.graphql(other.adminToken(), "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url eventTypes } } }", Map.of("id", endpoint.get("id")));
        assertThat(own.at("data.node.eventTypes")).as(own.body()).isEqualTo(List.of("balance.low"));
    }
}
