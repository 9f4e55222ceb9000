package io.meterline.platform.profile;

import io.micronaut.context.event.ApplicationEventPublisher;
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
import java.util.Optional;

/**
 * An organization's company details (the invoices' BILL TO). Members read them; organization admins
 * and platform admins save them. Saving replaces the whole block, as the form does; the company
 * name and the country are required, every other field is optional.
 */
@Singleton
public class CompanyDetailsService {

    private final CompanyDetailsRepository details;
    private final OrganizationRepository organizations;
    private final TenantScope tenantScope;
    private final Clock clock;
    private final ApplicationEventPublisher<CompanyDetailsSaved> saves;

    public CompanyDetailsService(CompanyDetailsRepository details, OrganizationRepository organizations, TenantScope tenantScope, Clock clock,
                                 ApplicationEventPublisher<CompanyDetailsSaved> saves) {
        this.details = details;
        this.organizations = organizations;
        this.tenantScope = tenantScope;
        this.clock = clock;
        this.saves = saves;
    }

    /** The form's fields, as typed. */
    public record Input(@Nullable String organizationId, @Nullable String companyName, @Nullable String contactName, @Nullable String billingEmail,
                        @Nullable String billingPhone, @Nullable String addressLine1, @Nullable String addressLine2, @Nullable String city,
                        @Nullable String region, @Nullable String postalCode, @Nullable String country) {
    }

    /** The saved details of an organization the viewer may see; empty until first saved. */
    @Transactional
    public Optional<CompanyDetails> read(Viewer viewer, @Nullable String organizationId) {
        long organization = tenantScope.organizationFor(viewer, organizationId);
        organizations.findById(organization).orElseThrow(() -> MeterlineException.notFound(organizationId));
        return details.findById(organization);
    }

    /** Saves the details; everything is checked before the one write. */
    @Transactional
    public CompanyDetails save(Viewer viewer, Input input) {
        long organization = tenantScope.organizationToManage(viewer, input.organizationId());
        organizations.findById(organization).orElseThrow(() -> MeterlineException.notFound(input.organizationId()));
        List<UserError> errors = new ArrayList<>();
        CompanyDetails saved = new CompanyDetails(organization,
                ContactFields.text(input.companyName(), "companyName", "Company name", 200, true, errors),
                ContactFields.text(input.contactName(), "contactName", "Contact full name", 200, false, errors),
                ContactFields.email(input.billingEmail(), "billingEmail", false, errors),
                ContactFields.phone(input.billingPhone(), "billingPhone", errors),
                ContactFields.text(input.addressLine1(), "addressLine1", "Address line 1", 200, false, errors),
                ContactFields.text(input.addressLine2(), "addressLine2", "Address line 2", 200, false, errors),
                ContactFields.text(input.city(), "city", "City", 100, false, errors),
                ContactFields.text(input.region(), "region", "State / region", 100, false, errors),
                ContactFields.text(input.postalCode(), "postalCode", "Postal code", 20, false, errors),
                ContactFields.country(input.country(), "country", errors),
                clock.instant(), viewer.email());
        UserInputException.throwIfAny(errors);
        CompanyDetails stored = details.existsById(organization) ? details.update(saved) : details.save(saved);
        saves.publishEvent(new CompanyDetailsSaved(organization));
        return stored;
    }
}
