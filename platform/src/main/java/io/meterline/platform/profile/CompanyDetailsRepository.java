package io.meterline.platform.profile;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

/** Organizations' company details. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface CompanyDetailsRepository extends CrudRepository<CompanyDetails, Long> {
}
