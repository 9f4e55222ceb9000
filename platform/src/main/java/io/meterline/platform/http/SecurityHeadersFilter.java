package io.meterline.platform.http;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Browser-facing protection on every response, errors included: no MIME sniffing, no framing
 * (clickjacking), no referrer leaving the server, and a content security policy that allows nothing
 * (the API answers JSON and CSV, which never need scripts, styles or frames). A page that does need
 * more, GraphiQL, sets its own policy, which is kept.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class SecurityHeadersFilter implements Ordered {

    static final String CONTENT_SECURITY_POLICY = "Content-Security-Policy";
    static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    @ResponseFilter
    public void addHeaders(MutableHttpResponse<?> response) {
        response.getHeaders().set("X-Content-Type-Options", "nosniff");
        response.getHeaders().set("X-Frame-Options", "DENY");
        response.getHeaders().set("Referrer-Policy", "no-referrer");
        if (!response.getHeaders().contains(CONTENT_SECURITY_POLICY)) {
            response.getHeaders().set(CONTENT_SECURITY_POLICY, API_POLICY);
        }
    }

    /** Runs last on the way out, so the headers are on whatever the other filters answered. */
    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }
}
