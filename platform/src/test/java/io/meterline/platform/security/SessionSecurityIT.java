package io.meterline.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meterline.platform.graphql.ws.WsClient;
import io.meterline.platform.bus.MessageBus;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.support.TestRedis;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.security.token.generator.TokenGenerator;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, parts 4, 5 and 8: refresh tokens rotate and a reused one revokes its sign-in; role,
 * password and email changes end the user's access tokens at once, on every instance; a validly
 * signed token whose claims describe no possible viewer is refused as unauthenticated, never a 500.
 */
class SessionSecurityIT extends ServerTest {

    private static final String CHANGE_PASSWORD = "mutation($input: PasswordChangeInput!) { passwordChange(input: $input) {"
            + " accessToken refreshToken userErrors { field code message } } }";
    private static final String ROLE = "mutation($input: MemberRoleUpdateInput!) { memberRoleUpdate(input: $input) { user { role } userErrors { code } } }";
    private static final String VIEWER = "{ viewer { user { email } } }";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    TokenGenerator tokenGenerator;

    Rows rows;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(TestRedis.properties());
        return properties;
    }

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
    }

    private static TestApi.Response signIn(TestApi api, String email, String password) {
        TestApi.Response response = api.post("/login", null, "application/json", api.write(Map.of("username", email, "password", password)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static TestApi.Response refresh(TestApi api, String refreshToken) {
        return api.post("/oauth/access_token", null, "application/json", api.write(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken)));
    }

    private long familyRows(String email, boolean revoked) {
        return rows.count("SELECT COUNT(*) FROM refresh_token t JOIN app_user u ON u.id = t.user_id WHERE u.email = ? AND t.revoked = ?", email, revoked);
    }

    private long tokenRows(String email) {
        return rows.count("SELECT COUNT(*) FROM refresh_token t JOIN app_user u ON u.id = t.user_id WHERE u.email = ?", email);
    }

    @Test
    void aRefreshTokenIsRotatedAndItsReuseRevokesTheWholeSignIn() {
        Fixtures.tenant(api, "rotate", "UTC");
        String email = "member@rotate.test";
        // The fixture signed the member in once already: a family of its own.
        long earlier = familyRows(email, false);
        TestApi.Response laptop = signIn(api, email, Fixtures.PASSWORD);
        TestApi.Response phone = signIn(api, email, Fixtures.PASSWORD);
        String first = (String) laptop.at("refresh_token");

        TestApi.Response exchanged = refresh(api, first);
        assertThat(exchanged.status()).isEqualTo(200);
        String second = (String) exchanged.at("refresh_token");
        assertThat(second).isNotBlank().isNotEqualTo(first);
        assertThat(api.graphql((String) exchanged.at("access_token"), VIEWER).at("data.viewer.user.email")).isEqualTo(email);
        TestApi.Response third = refresh(api, second);
        assertThat(third.status()).as("the successor exchanges once").isEqualTo(200);

        // The spent first token again: refused, and every token of the laptop's sign-in with it.
        TestApi.Response reused = refresh(api, first);
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.at("error")).isEqualTo("invalid_grant");
        assertThat(refresh(api, (String) third.at("refresh_token")).at("error")).as("the newest token of the revoked sign-in").isEqualTo("invalid_grant");
        assertThat(refresh(api, second).status()).isEqualTo(400);
        assertThat(familyRows(email, true)).as("the laptop's three tokens").isEqualTo(3);
        assertThat(familyRows(email, false)).as("the phone's sign-in").isEqualTo(earlier + 1);
        // Another sign-in of the same user is another family and goes on.
        assertThat(refresh(api, (String) phone.at("refresh_token")).status()).isEqualTo(200);
    }

    @Test
    void twoConcurrentExchangesOfOneTokenLetExactlyOneWin() throws Exception {
        Fixtures.tenant(api, "race", "UTC");
        String email = "member@race.test";
        long earlier = tokenRows(email);
        String token = (String) signIn(api, email, Fixtures.PASSWORD).at("refresh_token");
        List<Integer> statuses = race(8, attempt -> refresh(api, token).status());
        assertThat(statuses).containsOnly(200, 400);
        assertThat(statuses.stream().filter(status -> status == 200).count()).isEqualTo(1);
        // One successor was stored; the losers presented a spent token, which revokes the sign-in.
        assertThat(tokenRows(email)).isEqualTo(earlier + 2);
        assertThat(rows.count("SELECT COUNT(*) FROM refresh_token t JOIN app_user u ON u.id = t.user_id WHERE u.email = ? AND t.spent = TRUE", email)).isEqualTo(1);
    }

    @Test
    void rotationHoldsAcrossTwoInstances() throws Exception {
        Fixtures.tenant(api, "rotate-two", "UTC");
        String email = "member@rotate-two.test";
        long earlier = tokenRows(email);
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            String first = (String) signIn(api, email, Fixtures.PASSWORD).at("refresh_token");
            TestApi.Response exchanged = refresh(other, first);
            assertThat(exchanged.status()).isEqualTo(200);
            assertThat(refresh(api, first).at("error")).isEqualTo("invalid_grant");
            assertThat(refresh(other, (String) exchanged.at("refresh_token")).at("error")).isEqualTo("invalid_grant");

            String raced = (String) signIn(other, email, Fixtures.PASSWORD).at("refresh_token");
            List<Integer> statuses = race(8, attempt -> refresh(attempt % 2 == 0 ? api : other, raced).status());
            assertThat(statuses.stream().filter(status -> status == 200).count()).isEqualTo(1);
            assertThat(statuses).containsOnly(200, 400);
        }
        // Two sign-ins, each exchanged once.
        assertThat(tokenRows(email)).isEqualTo(earlier + 4);
    }

    @Test
    void aDemotedAdminsAccessTokenCannotCreateAnApiKey() {
        Fixtures.Tenant team = Fixtures.tenant(api, "demote", "UTC");
        String memberId = (String) api.graphql(team.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        assertThat(api.graphql(team.adminToken(), ROLE, Map.of("input", Map.of("userId", memberId, "role", "ORG_ADMIN"))).at("data.memberRoleUpdate.user.role"))
                .isEqualTo("ORG_ADMIN");
        String promoted = api.login("member@demote.test", Fixtures.PASSWORD);
        assertThat(api.graphql(promoted, VIEWER).at("data.viewer.user.email")).isEqualTo("member@demote.test");

        assertThat(api.graphql(team.adminToken(), ROLE, Map.of("input", Map.of("userId", memberId, "role", "ORG_MEMBER"))).at("data.memberRoleUpdate.user.role"))
                .isEqualTo("ORG_MEMBER");
        long keys = rows.count("SELECT COUNT(*) FROM api_key");
        TestApi.Response attempt = api.graphql(promoted, "mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret } }",
                Map.of("input", Map.of("organizationId", team.organizationId(), "label", "kept-admin")));
        assertThat(attempt.at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
        assertThat(attempt.at("data.apiKeyCreate")).isNull();
        assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys);
        // The admin who demoted keeps working; the member signs in again with the member role.
        assertThat(api.graphql(team.adminToken(), VIEWER).at("data.viewer.user.email")).isEqualTo(team.adminEmail());
        assertThat(api.graphql(api.login("member@demote.test", Fixtures.PASSWORD), "mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret } }",
                Map.of("input", Map.of("organizationId", team.organizationId(), "label", "kept-admin"))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys);
    }

    @Test
    void aRoleChangeClosesTheUsersOpenWebsocketsAndNoOneElses() throws Exception {
        Fixtures.Tenant team = Fixtures.tenant(api, "ws-role", "UTC");
        String memberId = (String) api.graphql(team.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        try (WsClient member = WsClient.initialised(server.getURI(), jsonMapper, team.memberToken());
             WsClient admin = WsClient.initialised(server.getURI(), jsonMapper, team.adminToken())) {
            assertThat(api.graphql(team.adminToken(), ROLE, Map.of("input", Map.of("userId", memberId, "role", "ORG_ADMIN"))).at("data.memberRoleUpdate.user.role"))
                    .isEqualTo("ORG_ADMIN");
            assertThat(member.awaitClose(CLOSE_WAIT)).as("the member's socket, signed in with the old role").isEqualTo(new WsClient.Closed(4403, "Forbidden"));
            // The admin's socket (another user) and one signed in after the change keep running.
            try (WsClient promoted = WsClient.initialised(server.getURI(), jsonMapper, api.login("member@ws-role.test", Fixtures.PASSWORD))) {
                for (WsClient open : List.of(admin, promoted)) {
                    open.send(Map.of("type", "ping"));
                    assertThat(open.next()).containsEntry("type", "pong");
                    assertThat(open.isClosed()).isFalse();
                }
            }
        }
    }

    @Test
    void aPasswordChangeEndsOldAccessTokensOnEveryInstanceAndSurface() throws Exception {
        assumeTrue(TestRedis.listens(), "needs the local Redis for the cross-instance bus");
        Fixtures.tenant(api, "pw-end", "UTC");
        String email = "member@pw-end.test";
        String old = api.login(email, Fixtures.PASSWORD);
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            TestApi other = new TestApi(second.getURI(), jsonMapper);
            // The second instance caches the user's version now, before the change.
            assertThat(other.graphql(old, VIEWER).at("data.viewer.user.email")).isEqualTo(email);
            CountDownLatch announced = new CountDownLatch(1);
            try (AutoCloseable subscription = second.getApplicationContext().getBean(MessageBus.class).subscribe(TokenVersions.CHANNEL, message -> announced.countDown());
                 WsClient openOnSecond = WsClient.initialised(second.getURI(), jsonMapper, old)) {
                TestApi.Response changed = api.graphql(old, CHANGE_PASSWORD, Map.of("input", Map.of("currentPassword", Fixtures.PASSWORD, "newPassword", "Quartz-Meadow-Lantern-4")));
                assertThat(changed.codes("data.passwordChange.userErrors")).isEmpty();
                String fresh = (String) changed.at("data.passwordChange.accessToken");
                // The announcement reached the second instance (its cache is dropped before later subscribers hear it).
                assertThat(announced.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(openOnSecond.awaitClose(CLOSE_WAIT)).as("a socket opened before the change on the other instance").isEqualTo(new WsClient.Closed(4403, "Forbidden"));

                for (TestApi instance : List.of(api, other)) {
                    assertThat(instance.graphql(old, VIEWER).at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
                    assertThat(instance.get("/v1/transactions.csv", old).status()).isEqualTo(401);
                    assertThat(instance.graphql(fresh, VIEWER).at("data.viewer.user.email")).isEqualTo(email);
                    assertThat(instance.get("/v1/transactions.csv", fresh).status()).isEqualTo(200);
                }
                for (URI uri : List.of(server.getURI(), second.getURI())) {
                    try (WsClient client = WsClient.connect(uri, jsonMapper)) {
                        client.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer " + old)));
                        assertThat(client.awaitClose(CLOSE_WAIT)).isEqualTo(new WsClient.Closed(4403, "Forbidden"));
                    }
                    try (WsClient client = WsClient.initialised(uri, jsonMapper, fresh)) {
                        assertThat(client.isClosed()).isFalse();
                    }
                }
            }
        }
    }

    @Test
    void forgedButValidlySignedTokensAreUnauthenticatedNeverAnError() {
        Fixtures.Tenant team = Fixtures.tenant(api, "forged", "UTC");
        Fixtures.Tenant elsewhere = Fixtures.tenant(api, "forged-other", "UTC");
        long organizationId = ((Number) rows.value("SELECT organization_id FROM app_user WHERE email = ?", team.adminEmail())).longValue();
        long otherOrganizationId = ((Number) rows.value("SELECT organization_id FROM app_user WHERE email = ?", elsewhere.adminEmail())).longValue();
        long adminId = ((Number) rows.value("SELECT id FROM app_user WHERE email = ?", team.adminEmail())).longValue();
        long rootId = ((Number) rows.value("SELECT id FROM app_user WHERE email = ?", TestApi.ADMIN_EMAIL)).longValue();
        Map<String, Map<String, Object>> forgeries = new java.util.LinkedHashMap<>();
        forgeries.put("platform admin with an organization", claims(TestApi.ADMIN_EMAIL, List.of("PLATFORM_ADMIN"), rootId, organizationId));
        forgeries.put("org admin without an organization", claims(team.adminEmail(), List.of("ORG_ADMIN"), adminId, null));
        forgeries.put("org admin of another organization", claims(team.adminEmail(), List.of("ORG_ADMIN"), adminId, otherOrganizationId));
        forgeries.put("member claiming platform admin", claims(team.adminEmail(), List.of("PLATFORM_ADMIN"), adminId, null));
        forgeries.put("unknown role", claims(team.adminEmail(), List.of("SUPERUSER"), adminId, organizationId));
        forgeries.put("two roles", claims(team.adminEmail(), List.of("ORG_ADMIN", "PLATFORM_ADMIN"), adminId, organizationId));
        forgeries.put("no such user", claims("ghost@forged.test", List.of("ORG_ADMIN"), 987_654_321L, organizationId));
        forgeries.put("tool user without an Account ID", claims(team.adminEmail(), List.of("TOOL_USER"), 0L, organizationId));
        Map<String, Object> textualId = claims(team.adminEmail(), List.of("ORG_ADMIN"), adminId, organizationId);
        textualId.put("uid", "1");
        forgeries.put("user id as text", textualId);
        Map<String, Object> textualOrganization = claims(team.adminEmail(), List.of("ORG_ADMIN"), adminId, organizationId);
        textualOrganization.put("org", "x");
        forgeries.put("organization as text", textualOrganization);
        Map<String, Object> stale = claims(team.adminEmail(), List.of("ORG_ADMIN"), adminId, organizationId);
        stale.put("ver", -1);
        forgeries.put("version below the user's", stale);

        long keys = rows.count("SELECT COUNT(*) FROM api_key");
        for (Map.Entry<String, Map<String, Object>> forgery : forgeries.entrySet()) {
            String token = tokenGenerator.generateToken(forgery.getValue()).orElseThrow();
            TestApi.Response attempt = api.graphql(token, "mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret } }",
                    Map.of("input", Map.of("organizationId", team.organizationId(), "label", "forged")));
            assertThat(attempt.at("errors.0.extensions.code")).as(forgery.getKey()).isEqualTo("UNAUTHENTICATED");
            assertThat(api.get("/v1/transactions.csv", token).status()).as(forgery.getKey()).isEqualTo(401);
            try (WsClient client = WsClient.connect(server.getURI(), jsonMapper)) {
                client.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer " + token)));
                assertThat(client.awaitClose(CLOSE_WAIT)).as(forgery.getKey()).isEqualTo(new WsClient.Closed(4403, "Forbidden"));
            }
        }
        assertThat(rows.count("SELECT COUNT(*) FROM api_key")).isEqualTo(keys);
        // The same claims with the user's true role, organization and version pass: the check is not refusing everything.
        String genuine = tokenGenerator.generateToken(claims(team.adminEmail(), List.of("ORG_ADMIN"), adminId, organizationId)).orElseThrow();
        assertThat(api.graphql(genuine, VIEWER).at("data.viewer.user.email")).isEqualTo(team.adminEmail());
    }

    private static Map<String, Object> claims(String email, List<String> roles, long userId, Long organizationId) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", email);
        claims.put("roles", roles);
        claims.put("uid", userId);
        if (organizationId != null) {
            claims.put("org", organizationId);
        }
        claims.put("ver", 0);
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("exp", Instant.now().plusSeconds(600).getEpochSecond());
        return claims;
    }

    /** Runs the same call from several threads released at once; their answers in order. */
    private static List<Integer> race(int threads, java.util.function.IntFunction<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int thread = 0; thread < threads; thread++) {
                int attempt = thread;
                answers.add(pool.submit(() -> {
                    start.await();
                    return call.apply(attempt);
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get(30, TimeUnit.SECONDS));
            }
            return statuses;
        }
        finally {
            pool.shutdownNow();
        }
    }
}
