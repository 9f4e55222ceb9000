package io.meterline.platform.demo;

import io.meterline.platform.security.User;
import io.meterline.platform.security.Role;
import io.micronaut.context.annotation.Requires;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Optional;

/**
 * Finds the platform admin the seeder acts as when neither the demo admin nor the bootstrap admin
 * exists, as in a database first started outside the demo environment. Read-only, and only in the
 * demo environment, so it widens nothing else.
 */
@Requires(env = "demo")
@JdbcRepository(dialect = Dialect.MYSQL)
interface PlatformAdminRepository extends GenericRepository<User, Long> {

    Optional<User> findFirstByRoleOrderById(Role role);
}
