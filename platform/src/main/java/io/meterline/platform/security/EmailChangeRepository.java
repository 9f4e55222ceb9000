package io.meterline.platform.security;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.Optional;

/** Requested email changes. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface EmailChangeRepository extends CrudRepository<EmailChange, Long> {

    Optional<EmailChange> findByTokenHash(String tokenHash);

    /** The user's open request, if any. */
    Optional<EmailChange> findFirstByUserIdAndConfirmedAtIsNullAndSupersededAtIsNullAndExpiresAtGreaterThanOrderByIdDesc(long userId, Instant now);

    /** Marks it used unless it already was used or replaced; the count (0 or 1) makes the token single-use under races. */
    @Query("UPDATE email_change SET confirmed_at = :now WHERE id = :id AND confirmed_at IS NULL AND superseded_at IS NULL")
    long markConfirmed(long id, Instant now);

    /** Replaces every open request of a user. */
    @Query("UPDATE email_change SET superseded_at = :now WHERE user_id = :userId AND confirmed_at IS NULL AND superseded_at IS NULL")
    long supersedeOpen(long userId, Instant now);
}
