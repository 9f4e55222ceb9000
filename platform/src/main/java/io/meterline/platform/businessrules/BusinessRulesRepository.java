package io.meterline.platform.businessrules;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

/** Business rules, one row per organization that saved any. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface BusinessRulesRepository extends CrudRepository<BusinessRules, Long> {
}
