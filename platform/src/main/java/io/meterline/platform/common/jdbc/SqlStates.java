package io.meterline.platform.common.jdbc;

import java.sql.SQLException;

/**
 * What a failed statement means, the same on H2, MariaDB and MySQL: the one place that reads
 * SQLSTATEs and vendor codes. Both rules walk the whole failure: the cause chain and each
 * {@link SQLException#getNextException() next exception} (a batch reports its failing row there).
 */
public final class SqlStates {

    /** H2's (and the SQL standard's) unique violation. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** MySQL/MariaDB ER_DUP_KEY, ER_DUP_ENTRY and ER_DUP_ENTRY_WITH_KEY_NAME (SQLSTATE 23000). */
    private static final int DUP_KEY = 1022;
    private static final int DUP_ENTRY = 1062;
    private static final int DUP_ENTRY_WITH_KEY_NAME = 1586;
    /** Serialization failure: a deadlock victim on MySQL, MariaDB and H2. */
    private static final String SERIALIZATION_FAILURE = "40001";
    /** H2's lock timeout. */
    private static final String H2_TIMEOUT = "HYT00";
    /** MySQL/MariaDB ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT. */
    private static final int LOCK_DEADLOCK = 1213;
    private static final int LOCK_WAIT_TIMEOUT = 1205;
    /** H2's LOCK_TIMEOUT_1 and DEADLOCK_1 error codes. */
    private static final int H2_LOCK_TIMEOUT = 50200;
    private static final int H2_DEADLOCK = 40001;

    private SqlStates() {
    }

    /**
     * Whether a unique key refused the row, such as one a concurrent insert took first. Only a
     * duplicate counts: other integrity violations (a missing parent row, a NULL) are bugs to report,
     * not races to absorb.
     */
    public static boolean isDuplicateKey(Throwable error) {
        return any(error, sql -> UNIQUE_VIOLATION.equals(sql.getSQLState())
                || sql.getErrorCode() == DUP_ENTRY || sql.getErrorCode() == DUP_KEY || sql.getErrorCode() == DUP_ENTRY_WITH_KEY_NAME);
    }

    /**
     * Whether the database chose this transaction as a deadlock victim or gave up waiting for a lock.
     * The transaction rolled back whole, so running it again from the start is safe.
     */
    public static boolean isRetryableLockConflict(Throwable error) {
        return any(error, sql -> SERIALIZATION_FAILURE.equals(sql.getSQLState()) || H2_TIMEOUT.equals(sql.getSQLState())
                || sql.getErrorCode() == LOCK_DEADLOCK || sql.getErrorCode() == LOCK_WAIT_TIMEOUT
                || sql.getErrorCode() == H2_LOCK_TIMEOUT || sql.getErrorCode() == H2_DEADLOCK);
    }

    private static boolean any(Throwable error, java.util.function.Predicate<SQLException> rule) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof SQLException sql) {
                // A batch chains one exception per failed row; the chain can loop on some drivers.
                for (SQLException next = sql; next != null; next = next.getNextException() == next ? null : next.getNextException()) {
                    if (rule.test(next)) {
                        return true;
                    }
                }
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }
}
