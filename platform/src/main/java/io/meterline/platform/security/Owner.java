package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;

/**
 * Who may see an object: the members of one organization (and platform admins), platform admins
 * only, or every signed-in user (such as prices).
 *
 * @param organizationId the owning organization, or null
 * @param readableByAll whether every signed-in user may read it
 */
public record Owner(@Nullable Long organizationId, boolean readableByAll) {

    public static Owner organization(long organizationId) {
        return new Owner(organizationId, false);
    }

    public static Owner platform() {
        return new Owner(null, false);
    }

    public static Owner everyone() {
        return new Owner(null, true);
    }
}
