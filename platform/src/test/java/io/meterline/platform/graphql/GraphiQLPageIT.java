package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.ServerTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /graphiql} switched on: the page and every asset come from the server, under a policy that allows nothing else. */
class GraphiQLPageIT extends ServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put("meterline.graphiql.enabled", "true");
        return properties;
    }

    @Test
    void thePageLoadsOnlyTheServersOwnAssetsUnderAStrictPolicy() throws Exception {
        HttpResponse<String> page = get("/graphiql");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("GraphiQL").doesNotContain("http://").doesNotContain("https://")
                .as("no inline script, which the policy would block").doesNotContain("<script>").doesNotContain("<style>");
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy).contains("script-src 'self';").contains("connect-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        for (String asset : List.of("/graphiql/assets/graphiql/2.4.7/graphiql.min.js", "/graphiql/assets/graphiql/2.4.7/graphiql.min.css",
                "/graphiql/assets/react/18.3.1/umd/react.production.min.js", "/graphiql/assets/react-dom/18.3.1/umd/react-dom.production.min.js",
                "/graphiql/meterline.js", "/graphiql/meterline.css")) {
            HttpResponse<String> response = get(asset);
            assertThat(response.statusCode()).as(asset).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(asset).contains("nosniff");
        }
        HttpResponse<String> script = get("/graphiql/meterline.js");
        assertThat(script.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(script.body()).contains("'/login'").contains("'/graphql'");
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = server.getURI().resolve(path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
