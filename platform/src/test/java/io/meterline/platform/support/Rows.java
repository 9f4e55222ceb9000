package io.meterline.platform.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.micronaut.transaction.TransactionOperations;

/** Reads the database directly, to prove what was (or was not) written. */
public final class Rows {

    private final TransactionOperations<Connection> transactions;

    public Rows(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** The single value of a query, such as a COUNT(*). */
    public Object value(String sql, Object... parameters) {
        return transactions.executeRead(status -> query(status.getConnection(), sql, parameters));
    }

    private static Object query(Connection connection, String sql, Object... parameters) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getObject(1) : null;
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement that changes rows, such as moving a token's expiry into the past; returns the row count. */
    public int execute(String sql, Object... parameters) {
        return transactions.executeWrite(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    statement.setObject(i + 1, parameters[i]);
                }
                return statement.executeUpdate();
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public long count(String sql, Object... parameters) {
        Object value = value(sql, parameters);
        return value == null ? 0 : ((Number) value).longValue();
    }
}
