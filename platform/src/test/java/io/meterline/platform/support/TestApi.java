package io.meterline.platform.support;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Talks to a running server the way clients do: HTTP, JSON, bearer tokens. */
public final class TestApi {

    public static final String ADMIN_EMAIL = "root@meterline.test";
    public static final String ADMIN_PASSWORD = "platform-secret-123";

    private final URI base;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newHttpClient();

    public TestApi(URI base, JsonMapper json) {
        this.base = base;
        this.json = json;
    }

    /** An HTTP answer with its JSON body. */
    public record Response(int status, String body, Object json) {
        public Object at(String path) {
            return TestApi.at(json, path);
        }

        /** The {@code code} of every error in the list at a path. */
        public List<Object> codes(String path) {
            return pluck(path, "code");
        }

        /** One key of every object in the list at a path. */
        public List<Object> pluck(String path, String key) {
            Object list = at(path);
            return list instanceof List<?> items ? items.stream().map(item -> (Object) ((Map<?, ?>) item).get(key)).toList() : List.of();
        }
    }

    public Response post(String path, String token, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    public Response get(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Object parsed = null;
            if (response.body() != null && (response.body().startsWith("{") || response.body().startsWith("["))) {
                parsed = json.readValue(response.body(), Argument.OBJECT_ARGUMENT);
            }
            return new Response(response.statusCode(), response.body(), parsed);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Signs in and returns the access token. */
    public String login(String email, String password) {
        Response response = post("/login", null, "application/json", write(Map.of("username", email, "password", password)));
        if (response.status() != 200) {
            throw new AssertionError("login failed for " + email + ": " + response.status() + " " + response.body());
        }
        return (String) response.at("access_token");
    }

    public String adminToken() {
        return login(ADMIN_EMAIL, ADMIN_PASSWORD);
    }

    /** Runs a GraphQL operation. */
    public Response graphql(String token, String query, Map<String, Object> variables) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("variables", variables);
        return post("/graphql", token, "application/json", write(body));
    }

    public Response graphql(String token, String query) {
        return graphql(token, query, Map.of());
    }

    /** Posts usage with an API key. */
    public Response usage(String apiKey, String body) {
        return post("/v1/usage", apiKey, "application/json", body);
    }

    public String write(Object value) {
        try {
            return json.writeValueAsString(value);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a dotted path such as {@code data.apiKeys.nodes.0.prefix}. */
    public static Object at(Object root, String path) {
        Object current = root;
        for (String part : path.split("\\.")) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(part);
            }
            else if (current instanceof List<?> list) {
                current = list.get(Integer.parseInt(part));
            }
            else {
                return null;
            }
        }
        return current;
    }
}
