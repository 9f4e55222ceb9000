package io.meterline.platform.notification;

import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.ContactFields;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads and changes organizations' alert settings. */
@Singleton
public class AlertSettingsService {

    private final AlertSettingsRepository settings;
    private final OrganizationRepository organizations;
    private final TenantScope tenantScope;
    private final Clock clock;

    public AlertSettingsService(AlertSettingsRepository settings, OrganizationRepository organizations, TenantScope tenantScope, Clock clock) {
        this.settings = settings;
        this.organizations = organizations;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /**
     * A change of settings; a null field keeps its value.
     *
     * @param emailGiven whether the input named {@code email}; naming it as null goes back to the default recipient
     */
    public record Update(@Nullable String organizationId, @Nullable Boolean enabled, @Nullable Integer thresholdPercent, boolean emailGiven, @Nullable String email) {
    }

    /** The settings of an organization the viewer may see. */
    @Transactional
    public AlertSettings read(Viewer viewer, @Nullable String organizationId) {
        long organization = tenantScope.organizationFor(viewer, organizationId);
        requireOrganization(organization, organizationId);
        return forOrganization(organization);
    }

    /** The settings of an organization, for delivery; no viewer involved. */
    @Transactional
    public AlertSettings forOrganization(long organizationId) {
        Optional<AlertSettingsRow> row = settings.findById(organizationId);
        String saved = row.map(AlertSettingsRow::email).orElse(null);
        String email = saved != null ? saved : settings.oldestAdminEmail(organizationId).orElse(null);
        return new AlertSettings(organizationId, row.map(AlertSettingsRow::enabled).orElse(false),
                row.map(AlertSettingsRow::thresholdPercent).orElse(AlertSettings.DEFAULT_THRESHOLD_PERCENT), email, saved == null);
    }

    /** Organization admins and platform admins change settings; everything is checked before the one write. */
    @Transactional
    public AlertSettings update(Viewer viewer, Update input) {
        long organization = tenantScope.organizationToManage(viewer, input.organizationId());
        requireOrganization(organization, input.organizationId());
        Optional<AlertSettingsRow> existing = settings.findById(organization);
        List<UserError> errors = new ArrayList<>();
        int threshold = input.thresholdPercent() != null ? input.thresholdPercent()
                : existing.map(AlertSettingsRow::thresholdPercent).orElse(AlertSettings.DEFAULT_THRESHOLD_PERCENT);
        if (threshold < 1 || threshold > 100) {
            errors.add(UserError.of("thresholdPercent", NotificationErrorCode.OUT_OF_RANGE, "Threshold must be between 1 and 100 percent"));
        }
        String email = existing.map(AlertSettingsRow::email).orElse(null);
        if (input.emailGiven()) {
            email = input.email() == null || input.email().isBlank() ? null : input.email().trim().toLowerCase(Locale.ROOT);
            if (email != null && (email.length() > ContactFields.MAX_EMAIL || !ContactFields.EMAIL.matcher(email).matches())) {
                errors.add(UserError.of("email", NotificationErrorCode.INVALID, "Email is not a valid address"));
            }
        }
        UserInputException.throwIfAny(errors);
        boolean enabled = input.enabled() != null ? input.enabled() : existing.map(AlertSettingsRow::enabled).orElse(false);
        AlertSettingsRow row = new AlertSettingsRow(organization, enabled, threshold, email, clock.instant());
        if (existing.isPresent()) {
            settings.update(row);
        }
        else {
            settings.save(row);
        }
        return forOrganization(organization);
    }

    private void requireOrganization(long organization, @Nullable String organizationId) {
        if (!organizations.existsById(organization)) {
            throw MeterlineException.notFound(organizationId == null ? "Organization" : organizationId);
        }
    }
}
