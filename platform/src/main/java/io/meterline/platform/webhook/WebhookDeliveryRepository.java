package io.meterline.platform.webhook;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** The webhook outbox and delivery log. */
@JdbcRepository(dialect = Dialect.MYSQL)
public interface WebhookDeliveryRepository extends CrudRepository<WebhookDelivery, Long> {

    /** Due deliveries; rows another instance has locked are skipped rather than waited for. */
    @Query("SELECT id FROM webhook_delivery WHERE status = 'PENDING' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit FOR UPDATE SKIP LOCKED")
    List<Long> lockDue(Instant now, int limit);

    /** Moves claimed rows' next attempt past the lease, so no other instance claims them while they are being sent. */
    @Query("UPDATE webhook_delivery SET next_attempt_at = :leaseUntil WHERE id IN (:ids)")
    void lease(Collection<Long> ids, Instant leaseUntil);

    List<WebhookDelivery> findByIdIn(Collection<Long> ids);

    @Query("SELECT * FROM webhook_delivery WHERE endpoint_id = :endpointId AND id < :beforeId ORDER BY id DESC LIMIT :limit")
    List<WebhookDelivery> page(long endpointId, long beforeId, int limit);

    long countByEndpointId(long endpointId);
}
