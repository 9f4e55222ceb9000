package io.meterline.platform.graphql;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code /graphiql}: GraphiQL with a sign-in form that puts the admin's token into the request
 * headers. The page and its scripts come from the server's own jar, never a CDN, which lets its
 * content security policy allow the server's own origin and nothing else: no inline script, no
 * other host. Off unless {@code meterline.graphiql.enabled} (on in the demo environment).
 */
@Controller("/graphiql")
@Requires(property = "meterline.graphiql.enabled", value = "true")
public class GraphiQLController {

    /**
     * Scripts and styles only from this server, none inline (GraphiQLBrowserIT sees no violation in
     * Chromium's console); fonts and icons in GraphiQL's stylesheet may be data: URLs.
     */
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final String page;
    private final String script;
    private final String style;

    public GraphiQLController(ResourceResolver resources) {
        this.page = read(resources, "classpath:graphiql/index.html");
        this.script = read(resources, "classpath:graphiql/meterline.js");
        this.style = read(resources, "classpath:graphiql/meterline.css");
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<String> page() {
        return HttpResponse.ok(page).header("Content-Security-Policy", PAGE_POLICY);
    }

    @Get(uri = "/meterline.js", produces = "text/javascript")
    public HttpResponse<String> script() {
        return HttpResponse.ok(script);
    }

    @Get(uri = "/meterline.css", produces = "text/css")
    public HttpResponse<String> style() {
        return HttpResponse.ok(style);
    }

    private static String read(ResourceResolver resources, String path) {
        try (InputStream in = resources.getResourceAsStream(path).orElseThrow()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
