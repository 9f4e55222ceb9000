package io.meterline.platform.account;

import io.micronaut.context.annotation.Property;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the first platform admin from {@code METERLINE_BOOTSTRAP_ADMIN_EMAIL} and
 * {@code METERLINE_BOOTSTRAP_ADMIN_PASSWORD} when no platform admin exists, as Keycloak does.
 */
@Singleton
public class BootstrapAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapAdmin.class);

    private final AccountService accounts;
    private final String email;
    private final String password;

    public BootstrapAdmin(AccountService accounts,
                          @Property(name = "meterline.bootstrap-admin.email", defaultValue = "") String email,
                          @Property(name = "meterline.bootstrap-admin.password", defaultValue = "") String password) {
        this.accounts = accounts;
        this.email = email;
        this.password = password;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        if (email.isBlank() || password.isBlank()) {
            return;
        }
        if (accounts.bootstrapPlatformAdmin(email, password)) {
            LOG.info("Created the bootstrap platform admin {}", email);
        }
    }
}
