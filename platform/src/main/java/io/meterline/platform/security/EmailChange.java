package io.meterline.platform.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * A requested change of a user's sign-in email, waiting for the link sent to the new address.
 * Only the token's SHA-256 is stored.
 *
 * @param id the row id
 * @param userId the user
 * @param newEmail the address to change to, normalized
 * @param tokenHash the SHA-256 of the emailed token
 * @param createdAt when it was requested
 * @param expiresAt when the link stops working
 * @param confirmedAt when the link was used, or null
 * @param supersededAt when a newer request (or a failed send) replaced it, or null
 */
@MappedEntity("email_change")
public record EmailChange(
        @Id @GeneratedValue @Nullable Long id,
        long userId,
        String newEmail,
        String tokenHash,
        Instant createdAt,
        Instant expiresAt,
        @Nullable Instant confirmedAt,
        @Nullable Instant supersededAt) {
}
