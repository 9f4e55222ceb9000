package io.meterline.platform.accountid;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Account IDs. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface AccountIdRepository extends CrudRepository<AccountId, Long> {

    Optional<AccountId> findByOrganizationIdAndCode(long organizationId, String code);

    boolean existsByOrganizationIdAndCode(long organizationId, String code);

    List<AccountId> findByIdIn(Collection<Long> ids);

    /**
     * A page in creation order; archived ones only when asked for, or when the status filter names them;
     * {@code pattern} is a lower-case LIKE pattern (escape character {@code !}) the code or the label must match.
     */
    @Query("SELECT * FROM account_id WHERE organization_id = :organizationId AND id > :afterId"
            + " AND (:status IS NULL OR status = :status) AND (:includeArchived = TRUE OR :status IS NOT NULL OR status <> 'ARCHIVED')"
            + " AND (:pattern IS NULL OR LOWER(code) LIKE :pattern ESCAPE '!' OR LOWER(label) LIKE :pattern ESCAPE '!') ORDER BY id LIMIT :limit")
    List<AccountId> page(long organizationId, long afterId, boolean includeArchived, @Nullable String status, @Nullable String pattern, int limit);

    @Query("SELECT COUNT(*) FROM account_id WHERE organization_id = :organizationId"
            + " AND (:status IS NULL OR status = :status) AND (:includeArchived = TRUE OR :status IS NOT NULL OR status <> 'ARCHIVED')"
            + " AND (:pattern IS NULL OR LOWER(code) LIKE :pattern ESCAPE '!' OR LOWER(label) LIKE :pattern ESCAPE '!')")
    long count(long organizationId, boolean includeArchived, @Nullable String status, @Nullable String pattern);

    long countByOrganizationIdAndStatus(long organizationId, AccountIdStatus status);

    /** The Account ID a tool user names at sign-in: its organization's slug and its code. */
    @Query("SELECT a.* FROM account_id a JOIN organization o ON o.id = a.organization_id WHERE o.slug = :slug AND a.code = :code")
    Optional<AccountId> findBySlugAndCode(String slug, String code);

}
