package io.meterline.platform.security;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;
import java.util.Optional;

/** Users. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface UserRepository extends CrudRepository<User, Long> {

    Optional<User> findByEmail(String email);

    boolean existsByEmail(String email);

    boolean existsByRole(Role role);

    List<User> findByOrganizationIdAndIdGreaterThanOrderById(long organizationId, long afterId, Pageable pageable);

    long countByOrganizationId(long organizationId);

    /** An organization's users of one role, such as its admins to email about a failed payment. */
    List<User> findByOrganizationIdAndRoleOrderById(long organizationId, Role role);
}
