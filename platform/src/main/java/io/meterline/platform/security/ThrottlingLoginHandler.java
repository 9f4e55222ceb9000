package io.meterline.platform.security;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.token.bearer.AccessRefreshTokenLoginHandler;
import io.micronaut.security.token.generator.AccessRefreshTokenGenerator;
import io.micronaut.security.token.generator.RefreshTokenGenerator;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /login}'s answers: as Micronaut's bearer handler, except that a throttled sign-in gets
 * {@code 429 Too Many Requests} with {@code Retry-After} and a JSON body
 * {@code {"error": "too_many_attempts", "message": ..., "retryAfterSeconds": ...}}, so a client can
 * tell "wait" from "wrong password" (401). A refresh answers the rotated refresh token.
 */
@Singleton
@Replaces(AccessRefreshTokenLoginHandler.class)
@Requires(property = "micronaut.security.authentication", value = "bearer")
public class ThrottlingLoginHandler extends AccessRefreshTokenLoginHandler {

    private final RefreshTokenGenerator refreshTokenGenerator;

    public ThrottlingLoginHandler(AccessRefreshTokenGenerator accessRefreshTokenGenerator, RefreshTokenGenerator refreshTokenGenerator) {
        super(accessRefreshTokenGenerator);
        this.refreshTokenGenerator = refreshTokenGenerator;
    }

    /**
     * {@code POST /oauth/access_token}'s answer: Micronaut would hand back the presented refresh
     * token; a rotated exchange answers the successor {@link RefreshTokenStore} stored instead.
     */
    @Override
    public MutableHttpResponse<?> loginRefresh(Authentication authentication, String refreshToken, HttpRequest<?> request) {
        if (authentication instanceof RotatedAuthentication rotated) {
            String successor = refreshTokenGenerator.generate(authentication, rotated.successorKey())
                    .orElseThrow(() -> new IllegalStateException("the successor refresh token could not be signed"));
            return super.loginRefresh(authentication, successor, request);
        }
        return super.loginRefresh(authentication, refreshToken, request);
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
