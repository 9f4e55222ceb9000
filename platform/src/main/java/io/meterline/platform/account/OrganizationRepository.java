package io.meterline.platform.account;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.Pageable;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;

/** Organizations. Only platform admins list them; everyone else reaches one through the tenant scope. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface OrganizationRepository extends CrudRepository<Organization, Long> {

    boolean existsBySlug(String slug);

    List<Organization> findByIdIn(Collection<Long> ids);

    List<Organization> findByIdGreaterThanAndNameIlikeOrderById(long afterId, String namePattern, Pageable pageable);

    long countByNameIlike(String namePattern);

    /** The {@code Ilike} pattern of names containing a search text (any name when null), its wildcards taken literally. */
    static String containsPattern(@Nullable String search) {
        return "%" + (search == null ? "" : search.replace("%", "\\%").replace("_", "\\_")) + "%";
    }

}
