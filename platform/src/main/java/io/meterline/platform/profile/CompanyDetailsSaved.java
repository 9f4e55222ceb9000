package io.meterline.platform.profile;

/**
 * An organization's company details were saved: who keeps a copy of the BILL TO (the Stripe
 * customer) brings it in step. Published inside the saving transaction.
 *
 * @param organizationId the organization
 */
public record CompanyDetailsSaved(long organizationId) {
}
