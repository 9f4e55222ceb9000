package io.meterline.platform.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** API keys. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface ApiKeyRepository extends CrudRepository<ApiKey, Long> {

    Optional<ApiKey> findByPrefix(String prefix);

    List<ApiKey> findByIdIn(Collection<Long> ids);

    @Query("SELECT * FROM api_key WHERE organization_id = :organizationId AND id < :beforeId"
            + " AND (:status IS NULL OR status = :status) ORDER BY id DESC LIMIT :limit")
    List<ApiKey> page(long organizationId, long beforeId, @Nullable String status, int limit);

    @Query("SELECT COUNT(*) FROM api_key WHERE organization_id = :organizationId AND (:status IS NULL OR status = :status)")
    long count(long organizationId, @Nullable String status);

    /** Records a use, writing at most once a minute per key so busy keys do not contend on one row. */
    @Query("UPDATE api_key SET last_used_at = :now WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :staleBefore)")
    void touch(long id, Instant now, Instant staleBefore);
}
