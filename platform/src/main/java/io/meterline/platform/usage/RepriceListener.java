package io.meterline.platform.usage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What other features do when a stored event gets a price later ({@link UsageRepricer}), or its
 * figure in the billing currency later ({@link HeldUsageConverter}): called in the
 * repricing transaction, on its connection, with the event's row locked, just before and just after
 * the event's row changes, so a feature that copied the event can take the old figures out and put
 * the new ones in; and once per repricing, after every event changed, with all of them
 * ({@link #repriced}), so a feature that charges or counts usage (ledger, budgets) does it once for
 * the whole repricing. A listener that has something to do once the repricing committed publishes
 * an event to its own {@code @TransactionalEventListener}.
 */
public interface RepriceListener {

    default void beforeReprice(Connection connection, long eventRowId) throws SQLException {
    }

    default void afterReprice(Connection connection, long eventRowId) throws SQLException {
    }

    /**
     * Runs once per repricing that changed any event, in its transaction, on its connection, after the
     * last event changed (their rows stay locked). Each event is passed once: an event is repriced only
     * while it has unpriced lines, and only those lines are priced, so no line is ever passed twice.
     */
    default void repriced(Connection connection, List<RepricedUsage> repriced) throws SQLException {
    }

    /**
     * Runs once per batch of held events that got their billing figure ({@link HeldUsageConverter}), in
     * its transaction, after the last of them changed (before and after each change,
     * {@link #beforeReprice} and {@link #afterReprice} ran as for a repricing). Each event is passed once,
     * with its {@link RecordedUsage#billing()} set: a feature that counts the converted amount (money
     * credits, cost budgets) counts it now, and did not count the event while it was held.
     */
    default void converted(Connection connection, List<RecordedUsage> converted) throws SQLException {
    }
}
