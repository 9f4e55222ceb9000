package io.meterline.platform.profile;

import io.meterline.platform.security.Role;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An invitation to join an organization, sent by email with a single-use link. Only the token's
 * SHA-256 is stored; accepting it creates the user.
 *
 * @param id the row id
 * @param organizationId the organization the invitee joins
 * @param email the invitee's email, normalized
 * @param role the role the invitee gets
 * @param displayName the name suggested by the inviter, or null
 * @param tokenHash the SHA-256 of the emailed token
 * @param invitedBy the email of the admin who invited
 * @param createdAt when it was sent
 * @param expiresAt when the link stops working
 * @param acceptedAt when it was accepted, or null
 * @param revokedAt when it was withdrawn (or replaced by a newer invitation), or null
 * @param userId the user created on acceptance, or null
 */
@MappedEntity("invitation")
public record Invitation(
        @Id @GeneratedValue @Nullable Long id,
        long organizationId,
        String email,
        Role role,
        @Nullable String displayName,
        String tokenHash,
        String invitedBy,
        Instant createdAt,
        Instant expiresAt,
        @Nullable Instant acceptedAt,
        @Nullable Instant revokedAt,
        @Nullable Long userId) {

    /** The GraphQL type name, used in global ids. */
    public static final String TYPE = "Invitation";

    /** Where the invitation stands at a moment. */
    public InvitationStatus status(Instant now) {
        if (acceptedAt != null) {
            return InvitationStatus.ACCEPTED;
        }
        if (revokedAt != null) {
            return InvitationStatus.REVOKED;
        }
        return now.isBefore(expiresAt) ? InvitationStatus.PENDING : InvitationStatus.EXPIRED;
    }
}
