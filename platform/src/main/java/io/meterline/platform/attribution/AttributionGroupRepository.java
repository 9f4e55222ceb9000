package io.meterline.platform.attribution;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;

/** Teams, departments and projects. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface AttributionGroupRepository extends CrudRepository<AttributionGroup, Long> {

    boolean existsByOrganizationIdAndKindAndGroupKey(long organizationId, AttributionKind kind, String groupKey);

    List<AttributionGroup> findByIdIn(Collection<Long> ids);

    @Query("SELECT * FROM attribution_group WHERE organization_id = :organizationId AND id > :afterId"
            + " AND (:kind IS NULL OR kind = :kind) AND (:includeArchived = TRUE OR archived = FALSE) ORDER BY id LIMIT :limit")
    List<AttributionGroup> page(long organizationId, long afterId, @Nullable String kind, boolean includeArchived, int limit);

    @Query("SELECT COUNT(*) FROM attribution_group WHERE organization_id = :organizationId"
            + " AND (:kind IS NULL OR kind = :kind) AND (:includeArchived = TRUE OR archived = FALSE)")
    long count(long organizationId, @Nullable String kind, boolean includeArchived);
}
