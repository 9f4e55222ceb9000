package io.meterline.platform.budget;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where authorization's holds live, and where check-and-hold happens as one step for every
 * instance. {@link DatabaseReservationBook}, the default, decides under the budget counters' row
 * locks and commits each hold; {@link RedisReservationBook}, used when {@code redis.uri} is set,
 * decides in one Redis script and keeps the database's commit off the authorization path.
 *
 * <p>Either way a hold is released only once the recorded usage that settles it is counted, so the
 * room a decision sees never misses a call that went ahead.
 */
public interface ReservationBook {

    /**
     * Decides a checked request against the organization's matching budgets; holds the estimate on
     * ALLOW. A caller whose API key is not an active key of the organization is refused with
     * UNAUTHENTICATED, against state as fresh as the budgets', so callers may look keys up in a cache.
     */
    AuthorizationService.Answer decide(long organizationId, AuthorizationService.Request request, int ttlSeconds);

    /** Inside the ingestion transaction, after the counters were added to: releases the holds of the recorded calls. */
    void settleInTransaction(Connection connection, long organizationId, Collection<String> reservationIds) throws SQLException;

    /** After that transaction committed: the counters' values after it, and the reservations it settled. */
    void afterCommit(List<Counted> counters, List<Settled> settled);

    /** What unexpired holds keep against the given budget periods. */
    Map<BudgetStore.CounterKey, BigDecimal> reserved(Connection connection, Map<BudgetStore.CounterKey, Budget> periods, Instant now) throws SQLException;

    /** Tells the book, once the change is committed, that an organization's budgets were created, changed or archived. */
    void budgetsChanged(long organizationId);

    /**
     * A reservation named by recorded usage, always with the organization that recorded it: a
     * reservation id is looked up only among that organization's holds, so usage naming another
     * organization's reservation releases nothing of it.
     *
     * @param organizationId the organization whose usage named it
     * @param reservationId the reservation id as sent
     */
    record Settled(long organizationId, String reservationId) {
    }

    /**
     * A counter's committed value.
     *
     * @param key the budget period
     * @param metric the budget's metric
     * @param consumed its consumption after the transaction
     */
    record Counted(BudgetStore.CounterKey key, Budget.Metric metric, BigDecimal consumed) {
    }
}
