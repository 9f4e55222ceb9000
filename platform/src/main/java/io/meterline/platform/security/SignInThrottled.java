package io.meterline.platform.security;

import io.micronaut.security.authentication.AuthenticationFailed;
import java.time.Duration;

/** A sign-in refused by {@link SignInThrottle}: {@link ThrottlingLoginHandler} answers it with 429 and Retry-After. */
public class SignInThrottled extends AuthenticationFailed {

    private final Duration retryAfter;

    public SignInThrottled(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
