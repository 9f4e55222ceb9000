package io.meterline.platform.profile;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

/** Users' profiles. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface UserProfileRepository extends CrudRepository<UserProfile, Long> {
}
