package io.meterline.platform.notification;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Optional;

/** Alert settings, one row per organization. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface AlertSettingsRepository extends CrudRepository<AlertSettingsRow, Long> {

    /** The email of the organization's oldest organization admin, the default alert recipient. */
    @Query("SELECT email FROM app_user WHERE organization_id = :organizationId AND role = 'ORG_ADMIN' ORDER BY created_at, id LIMIT 1")
    Optional<String> oldestAdminEmail(long organizationId);
}
