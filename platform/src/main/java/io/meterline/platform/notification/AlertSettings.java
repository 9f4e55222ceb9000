package io.meterline.platform.notification;

import io.micronaut.core.annotation.Nullable;

/**
 * The alert settings an organization sees (seed 002 "Configure Budget Alerts").
 *
 * @param organizationId the organization
 * @param enabled whether alerts are sent; off until an admin turns them on
 * @param thresholdPercent the percent of a budget at which an alert is raised, 1 to 100
 * @param email where alert emails go: the saved address, else the oldest organization admin's, else null
 * @param emailIsDefault whether {@code email} is the default rather than a saved address
 */
public record AlertSettings(long organizationId, boolean enabled, int thresholdPercent, @Nullable String email, boolean emailIsDefault) {

    /** Seed 002's default threshold. */
    public static final int DEFAULT_THRESHOLD_PERCENT = 80;
}
