package io.meterline.platform.attribution;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * A team, department (cost center) or project of an organization (seed 004). Usage events refer
 * to it by {@code groupKey} in the matching dimension; events naming a key without a group are
 * accepted and listed as unassigned.
 *
 * @param id the row id
 * @param organizationId the organization
 * @param kind team, department or project
 * @param groupKey the dimension value usage names it by, unique per organization and kind
 * @param name what people call it
 * @param archived archived groups keep their history and key but take no new members
 * @param createdAt when it was created
 */
@MappedEntity("attribution_group")
public record AttributionGroup(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        AttributionKind kind,
        String groupKey,
        String name,
        boolean archived,
        Instant createdAt) {

    /** The GraphQL type name, also the type part of global ids. */
    public static final String TYPE = "AttributionGroup";

    AttributionGroup renamed(String newName) {
        return new AttributionGroup(id, organizationId, kind, groupKey, newName, archived, createdAt);
    }

    AttributionGroup archivedCopy() {
        return new AttributionGroup(id, organizationId, kind, groupKey, name, true, createdAt);
    }
}
