package io.meterline.platform.security;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.token.bearer.AccessRefreshTokenLoginHandler;
import io.micronaut.security.token.generator.AccessRefreshTokenGenerator;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /login}'s answers: as Micronaut's bearer handler, except that a throttled sign-in gets
 * {@code 429 Too Many Requests} with {@code Retry-After} and a JSON body
 * {@code {"error": "too_many_attempts", "message": ..., "retryAfterSeconds": ...}}, so a client can
 * tell "wait" from "wrong password" (401).
 */
@Singleton
@Replaces(AccessRefreshTokenLoginHandler.class)
@Requires(property = "micronaut.security.authentication", value = "bearer")
public class ThrottlingLoginHandler extends AccessRefreshTokenLoginHandler {

    public ThrottlingLoginHandler(AccessRefreshTokenGenerator accessRefreshTokenGenerator) {
        super(accessRefreshTokenGenerator);
    }

    @Override
    public MutableHttpResponse<?> loginFailed(AuthenticationResponse authenticationFailed, HttpRequest<?> request) {
        if (authenticationFailed instanceof SignInThrottled throttled) {
            long seconds = Math.max(1, throttled.retryAfter().toSeconds());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "too_many_attempts");
            body.put("message", throttled.getMessage().orElse("Too many failed sign-ins"));
            body.put("retryAfterSeconds", seconds);
            return HttpResponse.status(HttpStatus.TOO_MANY_REQUESTS).header("Retry-After", String.valueOf(seconds)).body(body);
        }
        return super.loginFailed(authenticationFailed, request);
    }
}
