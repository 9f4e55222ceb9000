package io.meterline.platform.usage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What other features do when usage is recorded. {@link #inTransaction} runs inside the ingestion
 * transaction (settle reservations, post ledger entries: anything that must commit or roll back
 * with the events); {@link #afterCommit} runs once they are durable (evaluate thresholds, publish
 * alerts). Only newly accepted events are passed, never duplicates.
 */
public interface UsageListener {

    /** Runs in the ingestion transaction, on its connection; an exception rolls the batch back. */
    default void inTransaction(Connection connection, List<RecordedUsage> recorded) throws SQLException {
    }

    /** Runs after the batch committed; must not throw for a problem of its own. */
    default void afterCommit(List<RecordedUsage> recorded) {
    }
}
