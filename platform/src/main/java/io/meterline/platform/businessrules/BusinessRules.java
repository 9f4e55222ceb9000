package io.meterline.platform.businessrules;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An organization's business rules: the default service intervals text its maintenance tools read
 * (seed 000). Clearing keeps the row with no text, so who cleared it and when stay known.
 *
 * @param organizationId the organization, also the key
 * @param content the text, null once cleared
 * @param updatedBy the email of who saved or cleared it last
 * @param updatedAt when
 */
@MappedEntity("business_rules")
public record BusinessRules(@Id long organizationId, @Nullable String content, String updatedBy, Instant updatedAt) {
}
