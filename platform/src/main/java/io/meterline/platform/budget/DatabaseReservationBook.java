package io.meterline.platform.budget;

import io.meterline.platform.common.jdbc.SqlStates;
import io.micronaut.context.annotation.Requires;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.support.DefaultTransactionDefinition;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Holds in the database, for deployments without Redis. One transaction locks the current
 * period's counter row of every matching budget, in budget id order, sums the unexpired holds under
 * those locks and, when every HARD budget has room, inserts the reservation. Because the room is
 * read and taken under the row locks, authorizations on any number of instances sharing the
 * database admit exactly as many calls as fit; the price is one durable commit per call, with an
 * organization's calls queued on their shared counters.
 */
@Singleton
@Requires(missingProperty = "redis.uri")
public class DatabaseReservationBook implements ReservationBook {

    private static final int ATTEMPTS = 5;

    /**
     * READ COMMITTED: once this transaction holds the counter locks, every earlier holder has
     * committed, and a plain read sees its holds; under REPEATABLE READ a snapshot taken earlier in
     * the transaction would miss them, and locking every hold row to see them costs a lock per hold.
     */
    private static final TransactionDefinition DECIDE = readCommitted();

    private final BudgetStore store;
    private final BudgetMeasure measure;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;

    public DatabaseReservationBook(BudgetStore store, BudgetMeasure measure, TransactionOperations<Connection> transactions, Clock clock) {
        this.store = store;
        this.measure = measure;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    public AuthorizationService.Answer decide(long organizationId, AuthorizationService.Request request, int ttlSeconds) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transactions.execute(DECIDE, status -> decide(status.getConnection(), organizationId, request, ttlSeconds));
            }
            catch (RuntimeException e) {
                if (attempt == ATTEMPTS || !SqlStates.isRetryableLockConflict(e)) {
                    throw e;
                }
            }
        }
    }

    private AuthorizationService.Answer decide(Connection connection, long organizationId, AuthorizationService.Request request, int ttl) {
        try {
            AuthorizationService.requireActiveKey(request, store.activeApiKeyIds(connection, organizationId));
            Instant now = clock.instant();
            ZoneId zone = ZoneId.of(Objects.requireNonNullElse(store.timeZone(connection, organizationId), "UTC"));
            List<Budget> matching = store.activeBudgets(connection, organizationId).stream()
                    .filter(budget -> measure.covers(budget, request.caller(), request.provider())).toList();
            if (matching.isEmpty()) {
                return AuthorizationService.Answer.allow(List.of(), null, null);
            }
            // activeBudgets is ordered by id: the locks are always taken in one order.
            Map<Budget, BudgetPeriods.Window> windows = new LinkedHashMap<>();
            Map<Long, BigDecimal> consumed = new LinkedHashMap<>();
            for (Budget budget : matching) {
                BudgetPeriods.Window window = BudgetPeriods.of(budget, now, zone);
                windows.put(budget, window);
                consumed.put(budget.id(), store.lock(connection, new BudgetStore.CounterKey(budget.id(), window.start())));
            }
            // Every counter is locked now: holds read from here on cannot change under us.
            List<AuthorizationService.Hold> holds = new ArrayList<>();
            Map<BudgetStore.CounterKey, BigDecimal> amounts = new LinkedHashMap<>();
            AuthorizationService.Hold denied = null;
            for (Map.Entry<Budget, BudgetPeriods.Window> entry : windows.entrySet()) {
                Budget budget = entry.getKey();
                BudgetStore.CounterKey key = new BudgetStore.CounterKey(budget.id(), entry.getValue().start());
                BigDecimal requested = measure.requested(budget, request.estimate());
                AuthorizationService.Hold hold = AuthorizationService.Hold.of(budget, requested, consumed.get(budget.id()), store.activeHolds(connection, key, now),
                        entry.getValue().end());
                holds.add(hold);
                amounts.put(key, requested);
                if (denied == null && hold.overLimit()) {
                    denied = hold;
                }
            }
            if (denied != null) {
                return AuthorizationService.Answer.deny(denied, holds);
            }
            String reservationId = AuthorizationService.newReservationId();
            Instant expiresAt = now.plusSeconds(ttl);
            store.hold(connection, reservationId, organizationId, amounts, expiresAt);
            return AuthorizationService.Answer.allow(holds, reservationId, expiresAt);
        }
        catch (SQLException e) {
            throw new LockConflict(e);
        }
    }

    @Override
    public void settleInTransaction(Connection connection, long organizationId, Collection<String> reservationIds) throws SQLException {
        store.settle(connection, organizationId, reservationIds);
    }

    @Override
    public void afterCommit(List<Counted> counters, List<Settled> settled) {
        // The holds went with the transaction that counted their calls.
    }

    @Override
    public Map<BudgetStore.CounterKey, BigDecimal> reserved(Connection connection, Map<BudgetStore.CounterKey, Budget> periods, Instant now) throws SQLException {
        return store.reserved(connection, periods.keySet(), now);
    }

    @Override
    public void budgetsChanged(long organizationId) {
        // Every decision reads the budgets in its own transaction.
    }

    private static TransactionDefinition readCommitted() {
        DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
        definition.setIsolationLevel(TransactionDefinition.Isolation.READ_COMMITTED);
        return definition;
    }

    /** A database failure inside the decision, possibly a deadlock or lock timeout worth a retry. */
    private static final class LockConflict extends RuntimeException {
        LockConflict(SQLException cause) {
            super(cause);
        }
    }
}
