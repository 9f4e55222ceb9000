package io.meterline.platform.bench;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import java.util.Map;

/**
 * The plain Micronaut JSON endpoint the authorize latency is compared with: reads a small JSON body
 * into a map and writes it back. Exists only when {@code meterline.bench.echo=true}, so the server
 * that tests start never has it.
 */
@Requires(property = "meterline.bench.echo", value = "true")
// Anonymous like /v1/**: both endpoints pass the same security filter.
@Secured(SecurityRule.IS_ANONYMOUS)
@Controller("/bench/echo")
public class BenchEchoController {

    @Post(consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> echo(@Body Map<String, Object> body) {
        return body;
    }
}
