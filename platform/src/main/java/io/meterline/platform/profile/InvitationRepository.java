package io.meterline.platform.profile;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Invitations. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface InvitationRepository extends CrudRepository<Invitation, Long> {

    Optional<Invitation> findByTokenHash(String tokenHash);

    List<Invitation> findByIdIn(Collection<Long> ids);

    List<Invitation> findByOrganizationIdAndIdLessThanOrderByIdDesc(long organizationId, long id, Pageable pageable);

    long countByOrganizationId(long organizationId);

    List<Invitation> findByOrganizationIdAndIdLessThanAndAcceptedAtIsNullAndRevokedAtIsNullAndExpiresAtGreaterThanOrderByIdDesc(long organizationId, long id, Instant now,
                                                                                                                                  Pageable pageable);

    long countByOrganizationIdAndAcceptedAtIsNullAndRevokedAtIsNullAndExpiresAtGreaterThan(long organizationId, Instant now);

    /** Marks it accepted unless it already was accepted or revoked; the count (0 or 1) makes the token single-use under races. */
    @Query("UPDATE invitation SET accepted_at = :now, user_id = :userId WHERE id = :id AND accepted_at IS NULL AND revoked_at IS NULL")
    long markAccepted(long id, long userId, Instant now);

    /** Revokes it unless it is no longer pending. */
    @Query("UPDATE invitation SET revoked_at = :now WHERE id = :id AND accepted_at IS NULL AND revoked_at IS NULL")
    long markRevoked(long id, Instant now);

    /** Revokes every open invitation of an email to an organization, when a newer one replaces them. */
    @Query("UPDATE invitation SET revoked_at = :now WHERE organization_id = :organizationId AND email = :email AND accepted_at IS NULL AND revoked_at IS NULL")
    long revokeOpen(long organizationId, String email, Instant now);
}
