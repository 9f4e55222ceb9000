package io.meterline.platform.webhook;

import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;

/** Webhook endpoints. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface WebhookEndpointRepository extends CrudRepository<WebhookEndpoint, Long> {

    List<WebhookEndpoint> findByOrganizationIdAndDeletedAtIsNullOrderById(long organizationId);

    List<WebhookEndpoint> findByIdIn(Collection<Long> ids);
}
