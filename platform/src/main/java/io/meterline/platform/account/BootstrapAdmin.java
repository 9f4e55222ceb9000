package io.meterline.platform.account;

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
    private final BootstrapAdminConfiguration admin;

    public BootstrapAdmin(AccountService accounts, BootstrapAdminConfiguration admin) {
        this.accounts = accounts;
        this.admin = admin;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        if (!admin.given()) {
            return;
        }
        if (accounts.bootstrapPlatformAdmin(admin.email(), admin.password())) {
            LOG.info("Created the bootstrap platform admin {}", admin.email());
        }
    }
}
