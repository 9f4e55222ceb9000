package io.meterline.platform.http;

import io.meterline.platform.common.ErrorBody;
import io.meterline.platform.common.ErrorCode;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that shapes every 5xx answer: whatever produced it (a controller, a bean that
 * failed to build, the security or JWT library), the client gets a fixed sentence with
 * {@code extensions.code} {@link ErrorCode#INTERNAL}, never an exception message, a class name or
 * a bean path. The fault itself is in the server log, where Micronaut's error handler wrote it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class ServerErrorFilter implements Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(ServerErrorFilter.class);
    static final String MESSAGE = "Internal server error: the details are in the server log";
    private static final String HEALTH = "/health";

    @ResponseFilter
    @SuppressWarnings("unchecked")
    public void hideDetails(HttpRequest<?> request, MutableHttpResponse<?> response) {
        // /health's 503 is a deliberate answer with the status only (details are never shown), for load balancers.
        if (response.code() < 500 || HEALTH.equals(request.getPath())) {
            return;
        }
        LOG.debug("{} {} answered {}; its body was replaced", request.getMethod(), request.getPath(), response.code());
        ((MutableHttpResponse<Object>) response).body(ErrorBody.of(ErrorCode.INTERNAL, MESSAGE)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** Runs after every other filter on the way out (only {@link SecurityHeadersFilter} is later), so no 5xx body gets past it. */
    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE + 1;
    }
}
