package io.meterline.platform.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.graphql.ws.WsClient;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Alerts: stored once, numbered per organization, listed, counted, acknowledged, and pushed live over graphql-ws. */
class AlertIT extends ServerTest {

    private static final String ALERT_FIELDS = "id sequence kind level subject message data raisedAt acknowledgedAt organization { slug }";
    private static final AtomicInteger KEYS = new AtomicInteger();

    @Inject
    ApplicationEventPublisher<AlertRequest> alertRequests;

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant a;
    Fixtures.Tenant b;
    long aId;
    long bId;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        a = Fixtures.tenant(api, "alert-a", "UTC");
        b = Fixtures.tenant(api, "alert-b", "UTC");
        aId = GlobalId.decode(a.organizationId()).orElseThrow().id();
        bId = GlobalId.decode(b.organizationId()).orElseThrow().id();
    }

    private AlertRequest request(long organizationId, String level, String dedupeKey) {
        return new AlertRequest(organizationId, "BUDGET_THRESHOLD", level, dedupeKey, "Support budget", "Support budget is at 80 % of 100.00 EUR",
                Map.of("limit", "100.00", "percent", 80, "currency", "EUR"));
    }

    private String raise(long organizationId, String level) {
        String key = "budget:7:2026-11-01:" + KEYS.incrementAndGet();
        alertRequests.publishEvent(request(organizationId, level, key));
        return key;
    }

    /**
     * Subscribes and waits until the server listens: the subscribe message runs asynchronously, so
     * alerts of {@code probeOrganization} are raised until one arrives, then everything is drained.
     * A subscriber with {@code afterSequence} needs no probe: the replay covers the gap.
     */
    private WsClient subscriber(String token, String id, Map<String, Object> variables, Long probeOrganization) {
        WsClient client = WsClient.initialised(server.getURI(), jsonMapper, token);
        client.subscribe(id, "subscription($org: ID, $after: Long) { alertRaised(organizationId: $org, afterSequence: $after) { " + ALERT_FIELDS + " } }", variables);
        if (probeOrganization != null) {
            Map<String, Object> heard = null;
            for (int attempt = 0; attempt < 50 && heard == null; attempt++) {
                raise(probeOrganization, "WARNING");
                heard = client.poll(Duration.ofMillis(200));
            }
            assertThat(heard).as("the subscription started").isNotNull();
            drain(client);
        }
        return client;
    }

    private static void drain(WsClient... clients) {
        for (WsClient client : clients) {
            while (client.poll(Duration.ofMillis(300)) != null) {
                // Probe alerts: not what the test is about.
            }
        }
    }

    private static Object alert(Map<String, Object> message, String field) {
        assertThat(message).containsEntry("type", "next");
        return TestApi.at(message, "payload.data.alertRaised." + field);
    }

    @Test
    void aRaisedAlertReachesTheSubscriberWithinAShortTime() {
        try (WsClient client = subscriber(a.memberToken(), "live", Map.of(), aId)) {
            long started = System.nanoTime();
            String key = raise(aId, "CAUTION");
            Map<String, Object> message = client.poll(Duration.ofSeconds(2));
            assertThat(message).as("an alert within 2 s").isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            assertThat(alert(message, "level")).isEqualTo("CAUTION");
            assertThat(alert(message, "subject")).isEqualTo("Support budget");
            assertThat(alert(message, "data")).isEqualTo(Map.of("limit", "100.00", "percent", 80, "currency", "EUR"));
            assertThat(alert(message, "organization.slug")).isEqualTo("alert-a");
            assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE dedupe_key = ?", key)).isEqualTo(1);
        }
    }

    @Test
    void organizationsOnlyHearTheirOwnAlertsAndPlatformAdminsHearAll() {
        String admin = api.adminToken();
        try (WsClient aClient = subscriber(a.adminToken(), "a", Map.of(), aId);
             WsClient bClient = subscriber(b.memberToken(), "b", Map.of("org", b.organizationId()), bId);
             WsClient adminAll = subscriber(admin, "all", Map.of(), aId);
             WsClient adminB = subscriber(admin, "only-b", Map.of("org", b.organizationId()), bId)) {
            drain(aClient, bClient, adminAll, adminB);
            raise(bId, "WARNING");
            raise(aId, "EXCEEDED");
            assertThat(alert(bClient.next(), "organization.slug")).isEqualTo("alert-b");
            assertThat(alert(aClient.next(), "level")).isEqualTo("EXCEEDED");
            assertThat(List.of(alert(adminAll.next(), "organization.slug"), alert(adminAll.next(), "organization.slug"))).containsExactly("alert-b", "alert-a");
            assertThat(alert(adminB.next(), "organization.slug")).isEqualTo("alert-b");
            assertThat(aClient.poll(Duration.ofMillis(500))).as("A never hears B").isNull();
            assertThat(bClient.poll(Duration.ofMillis(10))).as("B never hears A").isNull();
            assertThat(adminB.poll(Duration.ofMillis(10))).isNull();
        }
    }

    @Test
    void anOrganizationUserCannotSubscribeToAnotherOrganization() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, a.adminToken())) {
            client.subscribe("steal", "subscription($org: ID) { alertRaised(organizationId: $org) { id } }", Map.of("org", b.organizationId()));
            Map<String, Object> error = client.next();
            assertThat(error).containsEntry("type", "error").containsEntry("id", "steal");
            assertThat(TestApi.at(error, "payload.0.extensions.code")).isEqualTo("NOT_FOUND");
            raise(bId, "WARNING");
            assertThat(client.poll(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void reconnectingWithAfterSequenceReplaysExactlyTheMissedAlertsThenStreams() {
        long seen;
        try (WsClient first = subscriber(a.memberToken(), "s", Map.of(), aId)) {
            raise(aId, "WARNING");
            seen = ((Number) alert(first.next(), "sequence")).longValue();
        }
        // Missed while disconnected.
        raise(aId, "CAUTION");
        raise(aId, "CRITICAL");
        try (WsClient again = subscriber(a.memberToken(), "s", Map.of("after", seen), null)) {
            assertThat(((Number) alert(again.next(), "sequence")).longValue()).isEqualTo(seen + 1);
            assertThat(((Number) alert(again.next(), "sequence")).longValue()).isEqualTo(seen + 2);
            raise(aId, "EXCEEDED");
            Map<String, Object> live = again.next();
            assertThat(((Number) alert(live, "sequence")).longValue()).isEqualTo(seen + 3);
            assertThat(alert(live, "level")).isEqualTo("EXCEEDED");
            assertThat(again.poll(Duration.ofMillis(500))).as("no duplicate at the seam").isNull();
        }
    }

    @Test
    void platformAdminsReplayOneOrganizationOnly() {
        try (WsClient client = WsClient.initialised(server.getURI(), jsonMapper, api.adminToken())) {
            client.subscribe("all", "subscription { alertRaised(afterSequence: 0) { id } }", Map.of());
            Map<String, Object> error = client.next();
            assertThat(error).containsEntry("type", "error");
            assertThat(TestApi.at(error, "payload.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
            client.subscribe("b", "subscription($org: ID) { alertRaised(organizationId: $org, afterSequence: 0) { organization { slug } } }", Map.of("org", b.organizationId()));
            assertThat(alert(client.next(), "organization.slug")).isEqualTo("alert-b");
        }
    }

    @Test
    void theClientsCompleteStopsItsOperation() {
        try (WsClient client = subscriber(a.adminToken(), "stop-me", Map.of(), aId)) {
            client.send(Map.of("id", "stop-me", "type", "complete"));
            client.send(Map.of("type", "ping"));
            assertThat(client.next()).containsEntry("type", "pong");
            raise(aId, "WARNING");
            assertThat(client.poll(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void aDuplicateRequestStoresOneAlert() {
        String key = "budget:9:2026-11-01:90";
        alertRequests.publishEvent(request(aId, "CAUTION", key));
        alertRequests.publishEvent(request(aId, "CAUTION", key));
        // The same key in another organization is another alert.
        alertRequests.publishEvent(request(bId, "CAUTION", key));
        assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE dedupe_key = ? AND organization_id = ?", key, aId)).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE dedupe_key = ?", key)).isEqualTo(2);
    }

    @Test
    void twentyThreadsRaisingTheSameAlertStoreOneAndAnnounceOne() throws Exception {
        String key = "budget:11:2026-11-01:95";
        try (WsClient client = subscriber(a.memberToken(), "race", Map.of(), aId)) {
            ExecutorService threads = Executors.newFixedThreadPool(20);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                done.add(threads.submit(() -> {
                    start.await();
                    alertRequests.publishEvent(request(aId, "CRITICAL", key));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
            threads.shutdown();
            assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE dedupe_key = ?", key)).isEqualTo(1);
            assertThat(alert(client.next(), "level")).isEqualTo("CRITICAL");
            assertThat(client.poll(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void sequencesAreUniqueAndIncreasingUnderConcurrency() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(10);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            done.add(threads.submit(() -> raise(bId, "WARNING")));
        }
        for (Future<?> future : done) {
            future.get();
        }
        threads.shutdown();
        assertThat(rows.count("SELECT COUNT(DISTINCT sequence_number) FROM alert WHERE organization_id = ?", bId))
                .isEqualTo(rows.count("SELECT COUNT(*) FROM alert WHERE organization_id = ?", bId));
        assertThat(rows.count("SELECT MAX(sequence_number) FROM alert WHERE organization_id = ?", bId))
                .isEqualTo(rows.count("SELECT COUNT(*) FROM alert WHERE organization_id = ?", bId));
    }
}
