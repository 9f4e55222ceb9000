package io.meterline.platform.common.jdbc;

import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work on one connection that may throw {@link SQLException}, run in a read or write transaction:
 * the stores that write SQL by hand share this instead of each keeping its own copy. A
 * SQLException becomes an unchecked one (the transaction rolls back); its detail goes to the log
 * through the cause, never to a client (errors are mapped at the edge).
 *
 * @param <T> what the work answers
 */
@FunctionalInterface
public interface JdbcWork<T> {

    T run(Connection connection) throws SQLException;

    /** Runs the work in a write transaction (joining the caller's, if any). */
    static <T> T write(TransactionOperations<Connection> transactions, JdbcWork<T> work) {
        return transactions.executeWrite(status -> unchecked(work, status.getConnection()));
    }

    /** Runs the work in a read-only transaction (joining the caller's, if any). */
    static <T> T read(TransactionOperations<Connection> transactions, JdbcWork<T> work) {
        return transactions.executeRead(status -> unchecked(work, status.getConnection()));
    }

    private static <T> T unchecked(JdbcWork<T> work, Connection connection) {
        try {
            return work.run(connection);
        }
        catch (SQLException e) {
            throw new IllegalStateException("A database statement failed", e);
        }
    }
}
