package io.meterline.platform.attribution;

import io.meterline.platform.security.User;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The users attribution groups list as members, read in batches. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface MemberRepository extends GenericRepository<User, Long> {

    List<User> findByIdIn(Collection<Long> ids);

    Optional<User> findById(Long id);
}
