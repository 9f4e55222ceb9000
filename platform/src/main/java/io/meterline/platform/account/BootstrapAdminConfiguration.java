package io.meterline.platform.account;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * The first platform admin ({@code meterline.bootstrap-admin.*}, from {@code METERLINE_BOOTSTRAP_ADMIN_EMAIL} and
 * {@code METERLINE_BOOTSTRAP_ADMIN_PASSWORD}); the defaults (none) live in application.yml.
 *
 * @param email the admin's email; empty when not set
 * @param password the admin's password; empty when not set
 */
@ConfigurationProperties("meterline.bootstrap-admin")
public record BootstrapAdminConfiguration(@Nullable String email, @Nullable String password) {

    public BootstrapAdminConfiguration {
        // An empty value is an absent property once bound.
        email = email == null ? "" : email;
        password = password == null ? "" : password;
    }

    /** Whether both are set, so the admin can be created. */
    public boolean given() {
        return !email.isBlank() && !password.isBlank();
    }
}
