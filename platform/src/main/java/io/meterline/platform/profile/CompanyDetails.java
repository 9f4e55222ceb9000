package io.meterline.platform.profile;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;
import java.time.Instant;

/**
 * The BILL TO block of an organization's invoices (seed 000's Company Details). Invoices copy it
 * when they are issued, so a later change never rewrites an issued invoice.
 *
 * @param organizationId the organization
 * @param companyName the company name billed
 * @param contactName the billing contact's full name
 * @param billingEmail where billing questions go
 * @param billingPhone the billing contact's phone, E.164
 * @param addressLine1 the street address
 * @param addressLine2 suite, unit or floor
 * @param city the city
 * @param region the state, province or region
 * @param postalCode the postal or ZIP code
 * @param country the ISO 3166-1 alpha-2 country code
 * @param updatedAt when it was last saved
 * @param updatedBy the email of who saved it
 */
@MappedEntity("company_details")
public record CompanyDetails(
        @Id Long organizationId,
        String companyName,
        @Nullable String contactName,
        @Nullable String billingEmail,
        @Nullable String billingPhone,
        @Nullable @MappedProperty("address_line1") String addressLine1,
        @Nullable @MappedProperty("address_line2") String addressLine2,
        @Nullable String city,
        @Nullable String region,
        @Nullable String postalCode,
        String country,
        Instant updatedAt,
        String updatedBy) {
}
