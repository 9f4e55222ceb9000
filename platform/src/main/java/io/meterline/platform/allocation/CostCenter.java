package io.meterline.platform.allocation;

import java.time.Instant;

/**
 * A cost center of an organization: what finance books usage costs against.
 *
 * @param id the row id
 * @param organizationId the organization
 * @param code the short code finance knows it by, unique per organization ignoring case
 * @param name what people call it
 * @param archived archived cost centers take no new rule shares but keep the ones they have and their history
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 */
public record CostCenter(long id, long organizationId, String code, String name, boolean archived, Instant createdAt, Instant updatedAt) {

    /** The GraphQL type name, also the type part of global ids. */
    public static final String TYPE = "CostCenter";
}
