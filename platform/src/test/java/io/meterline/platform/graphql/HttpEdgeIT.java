package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP edge under hostile requests: every refusal has its status, a JSON body in the
 * GraphQL-over-HTTP error shape with {@code extensions.code}, no library internals, and nothing
 * stored; every response carries the security headers; unknown paths are 404.
 */
class HttpEdgeIT extends ServerTest {

    /** What no error body may contain: exception and class names, packages of the libraries, bean paths. */
    private static final List<String> INTERNALS = List.of("Exception", "io.micronaut", "com.fasterxml", "io.meterline", "graphql.", "java.",
            "StreamReadConstraints", "StreamReadFeature", "Bean definition", "Source:", "hunter2");
    private static final String CREATE_KEY = "mutation { apiKeyCreate(input: {label: \"Hostile\"}) { secret } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;
    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put("meterline.test.failing-controller", "true");
        return properties;
    }

    @BeforeAll
    void tenant() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "edge", "UTC");
    }

    private long apiKeys() {
        return rows.count("SELECT COUNT(*) FROM api_key");
    }

    private long usageEvents() {
        return rows.count("SELECT COUNT(*) FROM usage_event");
    }

    private TestApi.Response graphqlBody(String contentType, String body) {
        return api.post("/graphql", tenant.adminToken(), contentType, body);
    }

    /** A refusal of /graphql: the status, JSON, one error with the code, and nothing a client should not see. */
    private static void assertRefused(TestApi.Response response, int status, String why) {
        assertThat(response.status()).as(why + ": " + response.body()).isEqualTo(status);
        assertThat(response.json()).as(why + ": the body is JSON").isInstanceOf(Map.class);
        assertThat(response.codes("errors").size()).as(why).isEqualTo(1);
        assertThat(response.at("errors.0.extensions.code")).as(why).isEqualTo("BAD_USER_INPUT");
        assertThat((String) response.at("errors.0.message")).as(why).isNotBlank();
        assertNoInternals(response.body(), why);
    }

    private static void assertNoInternals(String body, String why) {
        for (String internal : INTERNALS) {
            assertThat(body).as(why + ": the body names no internals").doesNotContain(internal);
        }
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void malformedBatchedDeepAndDuplicateKeyBodiesAre400AndRunNothing() {
        long keys = apiKeys();
        String mutation = api.write(CREATE_KEY);
        Map<String, String> hostile = new HashMap<>();
        hostile.put("malformed JSON", "{\"query\": " + mutation + ",");
        hostile.put("not JSON at all", "mutation { apiKeyCreate(input: {label: \"Hostile\"}) { secret } }");
        hostile.put("a batch (JSON array)", "[{\"query\": " + mutation + "}, {\"query\": " + mutation + "}]");
        hostile.put("variables nested 5,000 deep", "{\"query\": " + mutation + ", \"variables\": {\"deep\": " + nested(5000) + "}}");
        hostile.put("a duplicate key", "{\"query\": \"{ viewer { user { email } } }\", \"query\": " + mutation + "}");
        hostile.put("a duplicate key in variables", "{\"query\": " + mutation + ", \"variables\": {\"a\": 1, \"a\": 2}}");
        hostile.put("query is a number", "{\"query\": 42}");
        hostile.put("variables is a string", "{\"query\": " + mutation + ", \"variables\": \"{}\"}");
        hostile.put("no query", "{\"variables\": {}}");
        hostile.put("an empty body", "");
        hostile.put("a JSON string", api.write(CREATE_KEY));
        hostile.put("trailing garbage", "{\"query\": " + mutation + "} trailing");
        hostile.put("two objects", "{\"query\": " + mutation + "}{\"query\": " + mutation + "}");
        for (Map.Entry<String, String> attack : hostile.entrySet()) {
            assertRefused(graphqlBody("application/json", attack.getValue()), 400, attack.getKey());
        }
        TestApi.Response batch = graphqlBody("application/json", hostile.get("a batch (JSON array)"));
        assertThat((String) batch.at("errors.0.message")).contains("Batched requests");
        assertThat((String) graphqlBody("application/json", hostile.get("a duplicate key")).at("errors.0.message")).contains("Duplicate field 'query'");
        assertThat((String) graphqlBody("application/json", hostile.get("query is a number")).at("errors.0.message")).contains("query must be a string");
        assertThat(apiKeys()).as("no mutation ran").isEqualTo(keys);
        // The same request, well formed, does run: the refusals above were about the body alone.
        assertThat(graphqlBody("application/json; charset=utf-8", "{\"query\": " + mutation + "}").at("data.apiKeyCreate.secret")).isNotNull();
        assertThat(apiKeys()).isEqualTo(keys + 1);
    }

    @Test
    void nonJsonContentTypesAre415() {
        long keys = apiKeys();
        String body = "{\"query\": " + api.write(CREATE_KEY) + "}";
        for (String contentType : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/graphql", "multipart/form-data; boundary=x",
                "application/xml", null}) {
            assertRefused(graphqlBody(contentType, body), 415, "Content-Type " + contentType);
        }
        assertThat(apiKeys()).isEqualTo(keys);
    }

    @Test
    void mutationsOverGetAre405AndQueriesStillWork() throws Exception {
        long keys = apiKeys();
        TestApi.Response mutation = get("/graphql?query=" + encode(CREATE_KEY));
        assertRefused(mutation, 405, "a mutation over GET");
        TestApi.Response named = get("/graphql?operationName=Create&query=" + encode("query Read { viewer { user { email } } } mutation Create { apiKeyCreate(input: {label: \"x\"}) { secret } }"));
        assertRefused(named, 405, "the named mutation of a document over GET");
        assertThat(get("/graphql?query=" + encode("subscription { alertRaised { id } }")).status()).isEqualTo(405);
        assertThat(apiKeys()).isEqualTo(keys);

        TestApi.Response query = get("/graphql?query=" + encode("query($skip: Boolean!) { viewer { user { email @skip(if: $skip) } } }") + "&variables=" + encode("{\"skip\": false}"));
        assertThat(query.status()).isEqualTo(200);
        assertThat(query.at("data.viewer.user.email")).isEqualTo(tenant.adminEmail());
        assertRefused(get("/graphql?query=" + encode("{ viewer { user { email } } }") + "&variables=" + encode("{\"n\": 1, \"n\": 2}")), 400, "duplicate key in GET variables");
        assertRefused(get("/graphql?query=" + encode("{ viewer { user { email } } }") + "&variables=" + encode("[1")), 400, "malformed GET variables");
        assertRefused(get("/graphql"), 400, "GET without a query");
    }

    @Test
    void hostileUsageBodiesAreRefusedWithoutInternalsAndStoreNothing() {
        long events = usageEvents();
        Map<String, Object> event = Map.of("id", "edge-1", "timestamp", "2026-03-10T12:00:00Z", "provider", "openai", "model", "gpt-4",
                "meters", Map.of("input_tokens", 10));
        String good = api.write(Map.of("events", List.of(event)));
        TestApi.Response wrongType = api.post("/v1/usage", tenant.apiKey(), "text/plain", good);
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.at("errors.0.code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(api.post("/v1/usage", tenant.apiKey(), null, good).status()).as("no Content-Type").isEqualTo(415);

        String duplicate = good.replaceFirst("\\{", "{\"events\": [],");
        Map<String, String> hostile = Map.of(
                "a duplicate key", duplicate,
                "a duplicate key in an event", good.replace("\"id\":\"edge-1\"", "\"id\":\"edge-1\",\"id\":\"edge-2\""),
                "nested 5,000 deep", "{\"events\": " + nested(5000) + "}",
                "malformed JSON", "{\"events\": [");
        for (Map.Entry<String, String> attack : hostile.entrySet()) {
            TestApi.Response response = api.usage(tenant.apiKey(), attack.getValue());
            assertThat(response.status()).as(attack.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(response.at("errors.0.code")).as(attack.getKey()).isEqualTo("INVALID_JSON");
            assertNoInternals(response.body(), attack.getKey());
        }
        assertThat(usageEvents()).as("no usage_event row written").isEqualTo(events);
        assertThat(api.usage(tenant.apiKey(), good).status()).as("the same batch, well formed").isEqualTo(200);
        assertThat(usageEvents()).isEqualTo(events + 1);
    }

    @Test
    void hostileAuthorizeBodiesAreRefusedAndHoldNothing() {
        TestApi.Response budget = api.graphql(tenant.adminToken(), "mutation { budgetCreate(input: {name: \"Calls\", metric: REQUESTS, period: DAY, limit: \"10\","
                + " enforcement: HARD}) { budget { id } userErrors { code } } }");
        assertThat(budget.at("data.budgetCreate.budget.id")).as(budget.body()).isNotNull();
        String good = "{\"provider\": \"openai\", \"model\": \"gpt-4\", \"estimate\": {\"requests\": 1}}";
        TestApi.Response wrongType = api.post("/v1/authorize", tenant.apiKey(), "text/plain", good);
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.at("errors.0.code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(api.post("/v1/authorize", tenant.apiKey(), null, good).status()).as("no Content-Type").isEqualTo(415);
        Map<String, String> hostile = Map.of(
                "a duplicate key", good.replace("\"model\": \"gpt-4\"", "\"model\": \"gpt-4\", \"model\": \"gpt-3.5\""),
                "a duplicate key in the estimate", good.replace("{\"requests\": 1}", "{\"requests\": 1, \"requests\": 0}"),
                "nested 5,000 deep", "{\"dimensions\": " + nested(5000) + "}",
                "malformed JSON", "{\"provider\": ");
        for (Map.Entry<String, String> attack : hostile.entrySet()) {
            TestApi.Response response = api.post("/v1/authorize", tenant.apiKey(), "application/json", attack.getValue());
            assertThat(response.status()).as(attack.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(response.at("errors.0.code")).as(attack.getKey()).isEqualTo("INVALID_JSON");
            assertNoInternals(response.body(), attack.getKey());
        }
        assertThat(reservations()).as("no hold placed").isZero();
        TestApi.Response allowed = api.post("/v1/authorize", tenant.apiKey(), "application/json", good);
        assertThat(allowed.at("decision")).as(allowed.body()).isEqualTo("ALLOW");
        assertThat(reservations()).as("the well-formed request holds").isEqualTo(1);
    }

    private long reservations() {
        return rows.count("SELECT COUNT(*) FROM budget_reservation");
    }

    @Test
    void aServerFaultAnswersAGenericBodyWithACode() {
        TestApi.Response response = get("/test-only/failure");
        assertThat(response.status()).isEqualTo(500);
        assertThat(response.at("errors.0.extensions.code")).isEqualTo("INTERNAL");
        assertThat((String) response.at("errors.0.message")).startsWith("Internal server error");
        assertNoInternals(response.body(), "a 500");
        assertThat(response.body()).doesNotContain("IllegalStateException").doesNotContain("db.internal").doesNotContain("BudgetStore");
    }

    @Test
    void healthAnswersItsStatusWithoutSignInOrDetails() throws Exception {
        TestApi.Response response = api.get("/health", null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.at("status")).isEqualTo("UP");
        assertThat(response.body()).as("no details: database, versions, disk").doesNotContain("details").doesNotContain("jdbc").doesNotContain("diskSpace");
        for (String path : new String[] {"/routes", "/beans", "/env", "/loggers", "/info", "/metrics", "/threaddump"}) {
            assertThat(send(HttpRequest.newBuilder(server.getURI().resolve(path)).GET().build()).statusCode())
                    .as("management endpoint " + path + " stays off").isEqualTo(404);
        }
    }

    @Test
    void unknownPathsAre404NotABasicAuthChallenge() throws Exception {
        for (String path : new String[] {"/no-such-page", "/v2/usage", "/graphql/extra", "/admin"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(server.getURI().resolve(path)).GET().build());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).isEmpty();
            assertNoInternals(response.body(), path);
        }
        // A real route still asks for credentials.
        assertThat(api.get("/v1/transactions.csv", null).status()).isEqualTo(401);
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() throws Exception {
        List<HttpRequest> requests = List.of(
                HttpRequest.newBuilder(server.getURI().resolve("/graphql")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ __typename }\"}")).build(),
                HttpRequest.newBuilder(server.getURI().resolve("/graphql")).header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpRequest.newBuilder(server.getURI().resolve("/no-such-page")).GET().build(),
                HttpRequest.newBuilder(server.getURI().resolve("/test-only/failure")).GET().build(),
                HttpRequest.newBuilder(server.getURI().resolve("/login")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"nobody@edge.test\", \"password\": \"wrong-password\"}")).build());
        for (HttpRequest request : requests) {
            HttpResponse<String> response = send(request);
            String what = request.method() + " " + request.uri().getPath() + " (" + response.statusCode() + ")";
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(what).contains("nosniff");
            assertThat(response.headers().firstValue("X-Frame-Options")).as(what).contains("DENY");
            assertThat(response.headers().firstValue("Referrer-Policy")).as(what).contains("no-referrer");
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(what).hasValueSatisfying(policy ->
                    assertThat(policy).contains("default-src 'none'").contains("frame-ancestors 'none'"));
        }
    }

    @Test
    void graphiqlIsOffUnlessConfigured() {
        assertThat(get("/graphiql").status()).isEqualTo(404);
        assertThat(get("/graphiql/assets/graphiql/2.4.7/graphiql.min.js").status()).isEqualTo(404);
    }

    @Test
    void aDuplicateKeyInASignInIsRefused() {
        TestApi.Response response = api.post("/login", null, "application/json",
                "{\"username\": \"nobody@edge.test\", \"username\": \"" + TestApi.ADMIN_EMAIL + "\", \"password\": \"" + TestApi.ADMIN_PASSWORD + "\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(response.body()).doesNotContain("access_token");
        assertNoInternals(response.body(), "a sign-in with a duplicate key");
    }

    private TestApi.Response get(String pathAndQuery) {
        return api.get(pathAndQuery, tenant.adminToken());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
