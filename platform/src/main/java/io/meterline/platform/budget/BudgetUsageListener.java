package io.meterline.platform.budget;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.usage.RepriceListener;
import io.meterline.platform.usage.RepricedUsage;
import io.meterline.platform.usage.UsageListener;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts recorded usage against budgets inside the ingestion transaction, settles the reservations
 * the events name, and after commit publishes the threshold crossings. The organization's active
 * budgets are read once per batch, deltas are summed per budget period first and added in key order
 * (one batched upsert and one read per batch), so concurrent batches lock counters in one order.
 *
 * <p>Only events in a budget's current period count: no query reads an ended period's counter, and
 * skipping them keeps late batches (replays of old usage) from touching counters at all.
 *
 * <p>Crossings are computed from the counter values before and after this transaction's addition,
 * read under the counter rows' locks: each crossing is seen by exactly the transaction that made it,
 * on whichever instance, and published after that transaction commits.
 *
 * <p>Alert levels: a budget's lowest threshold is WARNING, its highest threshold below 100 is
 * CRITICAL, any threshold between them CAUTION, and reaching 100 % (always checked, whether or
 * not 100 is a threshold) is EXCEEDED.
 *
 * <p>Repricing and conversion ({@link RepriceListener}): an event counts against COST budgets only
 * once it has its figure in the billing currency ({@link BudgetMeasure}), so when a repricing prices
 * an event's last unpriced line and converts it, or a held event is converted once a rate arrives,
 * its cost is counted then, by the same path as at ingestion (same scope matching, same period rule,
 * same crossings), against the COST budgets only: its requests, tokens and units were counted when it
 * was recorded. After that transaction commits, the counters' new values go to the reservation book
 * (the Redis mirrors rise as after ingestion) and the crossings are published.
 */
@Singleton
public class BudgetUsageListener implements UsageListener, RepriceListener {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetUsageListener.class);
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final BudgetStore store;
    private final ReservationBook book;
    private final BudgetMeasure measure;
    private final ApplicationEventPublisher<AlertRequest> alerts;
    private final ApplicationEventPublisher<RepriceCounted> repriceCounted;
    private final Clock clock;
    /** The crossings of the transaction running on this thread, handed to afterCommit with the batch they belong to. */
    private final ThreadLocal<Pending> pending = new ThreadLocal<>();

    public BudgetUsageListener(BudgetStore store, ReservationBook book, BudgetMeasure measure, ApplicationEventPublisher<AlertRequest> alerts,
                               ApplicationEventPublisher<RepriceCounted> repriceCounted, Clock clock) {
        this.store = store;
        this.book = book;
        this.measure = measure;
        this.alerts = alerts;
        this.repriceCounted = repriceCounted;
        this.clock = clock;
    }

    private record Pending(List<RecordedUsage> batch, List<ReservationBook.Counted> counters, List<String> reservations, List<AlertRequest> crossings) {
    }

    /** What counting some usage changed: the counters' values after it and the crossings it made. */
    private record Counting(List<ReservationBook.Counted> counters, List<AlertRequest> crossings) {
    }

    /** A repricing's counters and crossings, published to this listener itself and handled once the repricing committed. */
    record RepriceCounted(List<ReservationBook.Counted> counters, List<AlertRequest> crossings) {
    }

    @Override
    public void inTransaction(Connection connection, List<RecordedUsage> recorded) throws SQLException {
        pending.remove();
        if (recorded.isEmpty()) {
            return;
        }
        long organizationId = recorded.get(0).organizationId();
        List<Budget> budgets = store.activeBudgets(connection, organizationId);
        List<String> reservations = recorded.stream().map(RecordedUsage::reservationId).filter(Objects::nonNull).toList();
        if (budgets.isEmpty()) {
            book.settleInTransaction(connection, organizationId, reservations);
            pending.set(new Pending(recorded, List.of(), reservations, List.of()));
            return;
        }
        Counting counting = count(connection, organizationId, budgets, recorded);
        // Counters first, then reservations: authorization locks counters before reservations too.
        book.settleInTransaction(connection, organizationId, reservations);
        pending.set(new Pending(recorded, counting.counters(), reservations, counting.crossings()));
    }

    @Override
    public void repriced(Connection connection, List<RepricedUsage> repriced) throws SQLException {
        // Priced but held unconverted, an event counts when it is converted.
        countCost(connection, repriced.stream().map(RepricedUsage::usage).filter(usage -> usage.billing() != null).toList());
    }

    @Override
    public void converted(Connection connection, List<RecordedUsage> converted) throws SQLException {
        countCost(connection, converted);
    }

    /** Counts the cost of events that got their billing figure after ingestion, once, against the COST budgets covering them. */
    private void countCost(Connection connection, List<RecordedUsage> billed) throws SQLException {
        Map<Long, List<RecordedUsage>> byOrganization = new TreeMap<>();
        billed.forEach(usage -> byOrganization.computeIfAbsent(usage.organizationId(), id -> new ArrayList<>()).add(usage));
        List<ReservationBook.Counted> counters = new ArrayList<>();
        List<AlertRequest> crossings = new ArrayList<>();
        for (Map.Entry<Long, List<RecordedUsage>> group : byOrganization.entrySet()) {
            List<Budget> costBudgets = store.activeBudgets(connection, group.getKey()).stream().filter(budget -> budget.metric() == Budget.Metric.COST).toList();
            if (!costBudgets.isEmpty()) {
                Counting counting = count(connection, group.getKey(), costBudgets, group.getValue());
                counters.addAll(counting.counters());
                crossings.addAll(counting.crossings());
            }
        }
        if (!counters.isEmpty()) {
            repriceCounted.publishEvent(new RepriceCounted(counters, crossings));
        }
    }

    /** Raises the mirrors and publishes the crossings of a repricing or conversion once it committed; nothing if it rolled back. */
    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onRepriceCommitted(RepriceCounted committed) {
        book.afterCommit(committed.counters(), List.of());
        publish(committed.crossings());
    }

    /**
     * Adds one organization's usage to the counters of the given budgets that cover it, in the usage's
     * budget periods (skipping ended ones), and computes the crossings from the values before and after.
     */
    private Counting count(Connection connection, long organizationId, List<Budget> budgets, List<RecordedUsage> recorded) throws SQLException {
        ZoneId zone = ZoneId.of(Objects.requireNonNullElse(store.timeZone(connection, organizationId), "UTC"));
        TreeMap<BudgetStore.CounterKey, BigDecimal> deltas = new TreeMap<>(BudgetStore.CounterKey.ORDER);
        Map<Long, Budget> byId = new HashMap<>();
        Instant now = clock.instant();
        List<BudgetPeriods.Window> current = budgets.stream().map(budget -> BudgetPeriods.of(budget, now, zone)).toList();
        for (RecordedUsage usage : recorded) {
            for (int i = 0; i < budgets.size(); i++) {
                Budget budget = budgets.get(i);
                // Only the current period (or the next, for timestamps a little ahead) is ever read:
                // status, authorization and alerts all concern it, so periods already over are not counted.
                // Almost every event falls in the current period, known without date arithmetic.
                BudgetPeriods.Window window = current.get(i);
                if (usage.timestamp().isBefore(window.start())) {
                    continue;
                }
                Instant periodStart = window.end() == null || usage.timestamp().isBefore(window.end()) ? window.start()
                        : BudgetPeriods.of(budget, usage.timestamp(), zone).start();
                BigDecimal amount = measure.amountOf(budget, usage);
                if (amount.signum() > 0) {
                    byId.put(budget.id(), budget);
                    deltas.merge(new BudgetStore.CounterKey(budget.id(), periodStart), amount, BigDecimal::add);
                }
            }
        }
        Map<BudgetStore.CounterKey, BigDecimal> after = deltas.isEmpty() ? Map.of() : store.add(connection, deltas);
        List<ReservationBook.Counted> counters = new ArrayList<>();
        List<AlertRequest> crossings = new ArrayList<>();
        for (Map.Entry<BudgetStore.CounterKey, BigDecimal> entry : deltas.entrySet()) {
            Budget budget = byId.get(entry.getKey().budgetId());
            BigDecimal consumed = after.get(entry.getKey());
            counters.add(new ReservationBook.Counted(entry.getKey(), budget.metric(), consumed));
            if (budget.limitAmount() != null) {
                crossings.addAll(crossings(budget, entry.getKey(), consumed.subtract(entry.getValue()), consumed, zone));
            }
        }
        return new Counting(counters, crossings);
    }

    @Override
    public void afterCommit(List<RecordedUsage> recorded) {
        Pending mine = pending.get();
        pending.remove();
        if (mine == null || mine.batch() != recorded) {
            return;
        }
        book.afterCommit(mine.counters(), mine.reservations().stream()
                .map(reservationId -> new ReservationBook.Settled(mine.batch().get(0).organizationId(), reservationId)).toList());
        publish(mine.crossings());
    }

    private void publish(List<AlertRequest> crossings) {
        for (AlertRequest alert : crossings) {
            try {
                alerts.publishEvent(alert);
            }
            catch (RuntimeException e) {
                LOG.error("Publishing budget alert {} failed", alert.dedupeKey(), e);
            }
        }
    }

    /** The thresholds (and 100 %) that consumption passed, from below to at-or-above, in this addition. */
    static List<AlertRequest> crossings(Budget budget, BudgetStore.CounterKey key, BigDecimal before, BigDecimal after, ZoneId zone) {
        BigDecimal limit = budget.limitAmount();
        BigDecimal percentBefore = before.multiply(HUNDRED);
        BigDecimal percentAfter = after.multiply(HUNDRED);
        List<Integer> thresholds = new ArrayList<>(budget.thresholdList());
        if (!thresholds.contains(100)) {
            thresholds.add(100);
        }
        List<Integer> belowHundred = thresholds.stream().filter(value -> value < 100).toList();
        BudgetPeriods.Window window = BudgetPeriods.of(budget, key.periodStart(), zone);
        String periodLabel = BudgetPeriods.label(budget, key.periodStart(), zone);
        List<AlertRequest> result = new ArrayList<>();
        for (int threshold : thresholds) {
            BigDecimal line = limit.multiply(BigDecimal.valueOf(threshold));
            if (percentBefore.compareTo(line) < 0 && percentAfter.compareTo(line) >= 0) {
                String level = threshold >= 100 ? "EXCEEDED"
                        : threshold == belowHundred.get(0) ? "WARNING"
                        : threshold == belowHundred.get(belowHundred.size() - 1) ? "CRITICAL" : "CAUTION";
                BigDecimal percent = BudgetStatus.percentOf(after, limit);
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("budgetId", GlobalId.encode(Budget.TYPE, budget.id()));
                data.put("name", budget.name());
                data.put("scope", budget.scopeKind().name());
                data.put("period", budget.periodKind().name());
                data.put("threshold", threshold);
                data.put("limit", limit.toPlainString());
                data.put("consumed", after.toPlainString());
                data.put("percent", percent.toPlainString());
                data.put("periodStart", key.periodStart().toString());
                if (window.end() != null) {
                    data.put("resetsAt", window.end().toString());
                }
                // A COST budget's figures are money in the budget's currency: say which, in the data and the sentence.
                String amounts = "";
                if (budget.metric() == Budget.Metric.COST && budget.currency() != null) {
                    data.put("currency", budget.currency());
                    amounts = ": " + after.toPlainString() + " " + budget.currency() + " of " + limit.toPlainString() + " " + budget.currency();
                }
                result.add(new AlertRequest(budget.organizationId(), "BUDGET_THRESHOLD", level,
                        "budget:" + budget.id() + ":" + periodLabel + ":" + threshold, budget.name(),
                        "Budget " + budget.name() + " reached " + percent.toPlainString() + " % of its " + budget.periodKind().name().toLowerCase(java.util.Locale.ROOT)
                                + " limit (threshold " + threshold + " %)" + amounts, data));
            }
        }
        return result;
    }
}
