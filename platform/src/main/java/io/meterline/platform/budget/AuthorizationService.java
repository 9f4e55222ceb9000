package io.meterline.platform.budget;

import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.micronaut.core.annotation.Nullable;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * "May this call go ahead?" One transaction locks the current period's counter row of every
 * matching budget, in budget id order, sums the unexpired holds under those locks and, when every
 * HARD budget has room, inserts the reservation. Because the room is read and taken under the row
 * lock, concurrent authorizations on any number of instances sharing the database admit exactly as
 * many calls as fit.
 */
@Singleton
public class AuthorizationService {

    static final int DEFAULT_TTL_SECONDS = 300;
    static final int MAX_TTL_SECONDS = 86_400;
    private static final int ATTEMPTS = 5;

    private final BudgetStore store;
    private final BudgetMeasure measure;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final List<CallerGate> gates;

    public AuthorizationService(BudgetStore store, BudgetMeasure measure, TransactionOperations<Connection> transactions, Clock clock, List<CallerGate> gates) {
        this.store = store;
        this.measure = measure;
        this.transactions = transactions;
        this.clock = clock;
        this.gates = gates;
    }

    /** The call's expected size; null fields count as 0, requests as 1. */
    public record Estimate(@Nullable BigDecimal tokens, @Nullable BigDecimal cost, @Nullable BigDecimal requests, @Nullable BigDecimal meterUnits) {
    }

    /** A call to authorize. */
    public record Request(BudgetMeasure.Caller caller, String provider, String model, Estimate estimate, @Nullable Integer ttlSeconds) {
    }

    public enum Decision { ALLOW, DENY }

    /**
     * One matching budget at the moment of the decision.
     *
     * @param budget the budget
     * @param requested what the call would add
     * @param consumed recorded usage in the period
     * @param reserved what other unexpired holds keep
     * @param remaining room left before this call (limit - consumed - reserved, not below 0), null if unlimited
     * @param resetsAt when the period ends, null if never
     */
    public record Hold(Budget budget, BigDecimal requested, BigDecimal consumed, BigDecimal reserved, @Nullable BigDecimal remaining,
                       @Nullable Instant resetsAt) {
    }

    /**
     * The answer.
     *
     * @param decision ALLOW or DENY
     * @param reason why a call was denied, in a sentence
     * @param deniedBy the HARD budget without room, null when allowed (or refused by a gate)
     * @param reservationId the hold's id on ALLOW when any budget matched; send it as the event's reservation_id
     * @param expiresAt when an unsettled hold lapses
     * @param holds every matching budget
     */
    public record Answer(Decision decision, @Nullable String reason, @Nullable Hold deniedBy, @Nullable String reservationId, @Nullable Instant expiresAt,
                         List<Hold> holds) {

        /** The binding budget: the denying one, else the HARD budget with least room relative to its limit. */
        @Nullable
        public Hold tightest() {
            if (deniedBy != null) {
                return deniedBy;
            }
            return holds.stream().filter(hold -> hold.budget().hard() && hold.remaining() != null)
                    .min(Comparator.comparing(hold -> hold.remaining().divide(hold.budget().limitAmount(), 9, java.math.RoundingMode.HALF_EVEN)))
                    .orElse(null);
        }
    }

    public Answer authorize(long organizationId, Request request) {
        List<UserError> errors = new ArrayList<>();
        Estimate estimate = request.estimate();
        check(estimate.tokens(), "tokens", errors);
        check(estimate.cost(), "cost", errors);
        check(estimate.requests(), "requests", errors);
        check(estimate.meterUnits(), "meterUnits", errors);
        int ttl = request.ttlSeconds() == null ? DEFAULT_TTL_SECONDS : request.ttlSeconds();
        if (ttl < 1 || ttl > MAX_TTL_SECONDS) {
            errors.add(UserError.of("ttlSeconds", "OUT_OF_RANGE", "A reservation lives 1 to " + MAX_TTL_SECONDS + " seconds"));
        }
        if (request.provider() == null || !measure.providerExists(request.provider())) {
            errors.add(UserError.of("provider", "NOT_FOUND", "No provider " + request.provider() + " is installed"));
        }
        UserInputException.throwIfAny(errors);
        for (CallerGate gate : gates) {
            Optional<String> refusal = gate.refusal(organizationId, request.caller());
            if (refusal.isPresent()) {
                return new Answer(Decision.DENY, refusal.get(), null, null, null, List.of());
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return transactions.execute(DECIDE, status -> decide(status.getConnection(), organizationId, request, ttl));
            }
            catch (RuntimeException e) {
                if (attempt == ATTEMPTS || !isLockConflict(e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * READ COMMITTED: once this transaction holds the counter locks, every earlier holder has
     * committed, and a plain read sees its holds; under REPEATABLE READ a snapshot taken earlier in
     * the transaction would miss them, and locking every hold row to see them costs a lock per hold.
     */
    private static final TransactionDefinition DECIDE = readCommitted();

    private static TransactionDefinition readCommitted() {
        DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
        definition.setIsolationLevel(TransactionDefinition.Isolation.READ_COMMITTED);
        return definition;
    }

    private Answer decide(Connection connection, long organizationId, Request request, int ttl) {
        try {
            Instant now = clock.instant();
            ZoneId zone = ZoneId.of(Objects.requireNonNullElse(store.timeZone(connection, organizationId), "UTC"));
            List<Budget> matching = store.activeBudgets(connection, organizationId).stream()
                    .filter(budget -> measure.covers(budget, request.caller(), request.provider())).toList();
            if (matching.isEmpty()) {
                return new Answer(Decision.ALLOW, null, null, null, null, List.of());
            }
            List<Hold> holds = new ArrayList<>();
            Map<BudgetStore.CounterKey, BigDecimal> amounts = new LinkedHashMap<>();
            Hold denied = null;
            // activeBudgets is ordered by id: the locks are always taken in one order.
            Map<Long, BigDecimal> consumedById = new LinkedHashMap<>();
            for (Budget budget : matching) {
                consumedById.put(budget.id(), store.lock(connection, new BudgetStore.CounterKey(budget.id(), BudgetPeriods.of(budget, now, zone).start())));
            }
            // Every counter is locked now: holds read from here on cannot change under us.
            for (Budget budget : matching) {
                BudgetPeriods.Window window = BudgetPeriods.of(budget, now, zone);
                BudgetStore.CounterKey key = new BudgetStore.CounterKey(budget.id(), window.start());
                BigDecimal consumed = consumedById.get(budget.id());
                BigDecimal reserved = store.activeHolds(connection, key, now);
                BigDecimal requested = requested(budget, request.estimate());
                BigDecimal remaining = budget.limitAmount() == null ? null : budget.limitAmount().subtract(consumed).subtract(reserved).max(BudgetStatus.ZERO);
                Hold hold = new Hold(budget, requested, consumed, reserved, remaining, window.end());
                holds.add(hold);
                amounts.put(key, requested);
                if (denied == null && budget.hard() && budget.limitAmount() != null
                        && consumed.add(reserved).add(requested).compareTo(budget.limitAmount()) > 0) {
                    denied = hold;
                }
            }
            if (denied != null) {
                return new Answer(Decision.DENY, "Budget " + denied.budget().name() + " has " + denied.remaining().toPlainString() + " left of "
                        + denied.budget().limitAmount().toPlainString() + " and the call needs " + denied.requested().toPlainString(), denied, null, null, holds);
            }
            String reservationId = "rsv_" + UUID.randomUUID().toString().replace("-", "");
            Instant expiresAt = now.plusSeconds(ttl);
            store.hold(connection, reservationId, organizationId, amounts, expiresAt);
            return new Answer(Decision.ALLOW, null, null, reservationId, expiresAt, holds);
        }
        catch (SQLException e) {
            throw new LockConflict(e);
        }
    }

    private static BigDecimal requested(Budget budget, Estimate estimate) {
        BigDecimal value = switch (budget.metric()) {
            case TOKENS -> estimate.tokens();
            case COST -> estimate.cost();
            case REQUESTS -> estimate.requests() == null ? BigDecimal.ONE : estimate.requests();
            case METER_UNITS -> estimate.meterUnits();
        };
        return value == null ? BigDecimal.ZERO : value;
    }

    private static void check(@Nullable BigDecimal value, String field, List<UserError> errors) {
        if (value != null && value.signum() < 0) {
            errors.add(new UserError(List.of("input", "estimate", field), "An estimate is not negative", "OUT_OF_RANGE"));
        }
    }

    private static boolean isLockConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                String state = sql.getSQLState();
                if ("40001".equals(state) || "HYT00".equals(state) || sql.getErrorCode() == 1213 || sql.getErrorCode() == 1205
                        || sql.getErrorCode() == 50200 || sql.getErrorCode() == 40001) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A database failure inside the decision, possibly a deadlock or lock timeout worth a retry. */
    private static final class LockConflict extends RuntimeException {
        LockConflict(SQLException cause) {
            super(cause);
        }
    }
}
