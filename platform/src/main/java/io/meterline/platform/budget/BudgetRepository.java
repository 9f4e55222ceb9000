package io.meterline.platform.budget;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;

/** Budgets. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface BudgetRepository extends CrudRepository<Budget, Long> {

    List<Budget> findByIdIn(Collection<Long> ids);

    List<Budget> findByOrganizationIdAndArchivedFalseOrderById(long organizationId);

    @Query("SELECT * FROM budget WHERE organization_id = :organizationId AND id > :afterId"
            + " AND (:includeArchived = TRUE OR archived = FALSE) AND (:scope IS NULL OR scope_kind = :scope) ORDER BY id LIMIT :limit")
    List<Budget> page(long organizationId, long afterId, boolean includeArchived, @Nullable String scope, int limit);

    @Query("SELECT COUNT(*) FROM budget WHERE organization_id = :organizationId"
            + " AND (:includeArchived = TRUE OR archived = FALSE) AND (:scope IS NULL OR scope_kind = :scope)")
    long count(long organizationId, boolean includeArchived, @Nullable String scope);
}
