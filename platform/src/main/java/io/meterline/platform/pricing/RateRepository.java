package io.meterline.platform.pricing;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The price book's rows. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface RateRepository extends CrudRepository<RateRecord, Long> {

    List<RateRecord> findAllOrderById();

    List<RateRecord> findByIdIn(Collection<Long> ids);

    @Query("SELECT * FROM rate WHERE provider = :provider ORDER BY effective_from DESC, version DESC")
    List<RateRecord> history(String provider);

    boolean existsByProviderAndModelAndMeter(String provider, String model, String meter);

    @Query("SELECT COALESCE(MAX(version), 0) FROM rate WHERE provider = :provider AND model = :model AND meter = :meter")
    int maxVersion(String provider, String model, String meter);

    @Query("SELECT COALESCE(MAX(id), 0) FROM rate")
    long maxId();

    Optional<RateRecord> findFirstByProviderOrderByIdDesc(String provider);
}
