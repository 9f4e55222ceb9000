package io.meterline.platform.graphql;

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
 * headers. The page and its scripts come from the server's own jar, never a CDN.
 */
@Controller("/graphiql")
public class GraphiQLController {

    private final String page;

    public GraphiQLController(ResourceResolver resources) {
        try (InputStream in = resources.getResourceAsStream("classpath:graphiql/index.html").orElseThrow()) {
            this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<String> page() {
        return HttpResponse.ok(page);
    }
}
