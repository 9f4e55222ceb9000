package io.meterline.platform.ledger;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;
import java.util.Optional;

/** Plans; a handful of rows managed by platform admins. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface PlanRepository extends CrudRepository<Plan, Long> {

    boolean existsByName(String name);

    List<Plan> findAllOrderById();

    List<Plan> findByActiveOrderById(boolean active);

    /** The plan a Stripe price sells (billing maps subscription events back to plans with it). */
    Optional<Plan> findByStripePriceId(String stripePriceId);
}
