package io.meterline.platform.accountid;

import io.meterline.platform.budget.BudgetMeasure;
import io.meterline.platform.budget.CallerGate;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.security.ViewerGate;
import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Refuses suspended and archived Account IDs: {@code usageAuthorize} / {@code POST /v1/authorize}
 * calls naming one (through {@link CallerGate}), and every request of a tool user signed in with one
 * (through {@link ViewerGate}). Nothing is cached: each check is one read of the account_id row by
 * its unique key (or primary key) on an auto-commit connection, so a suspension applies from the
 * very next request on every instance, at the cost of one indexed lookup. Codes unknown to the
 * organization are let through: usage may name account ids that were never registered.
 */
@Singleton
public class AccountIdGate implements CallerGate, ViewerGate {

    private final ConnectionOperations<Connection> connections;

    public AccountIdGate(ConnectionOperations<Connection> connections) {
        this.connections = connections;
    }

    @Override
    public Optional<String> refusal(long organizationId, BudgetMeasure.Caller caller) {
        String code = caller.accountId();
        if (code == null) {
            return Optional.empty();
        }
        return connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT code, status FROM account_id WHERE organization_id = ? AND code = ?")) {
                statement.setLong(1, organizationId);
                statement.setString(2, code);
                try (ResultSet rows = statement.executeQuery()) {
                    // Budgets match the dimension exactly; so does the gate, whatever the column's collation.
                    while (rows.next()) {
                        if (rows.getString(1).equals(code)) {
                            return refusalOf(code, rows.getString(2));
                        }
                    }
                    return Optional.<String>empty();
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading Account ID " + code + " failed", e);
            }
        });
    }

    @Override
    public Optional<String> refusal(Viewer viewer) {
        if (viewer.accountId() == null) {
            return Optional.empty();
        }
        return connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT code, status FROM account_id WHERE id = ? AND organization_id = ?")) {
                statement.setLong(1, viewer.accountId());
                statement.setLong(2, viewer.organizationId());
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? refusalOf(rows.getString(1), rows.getString(2)) : Optional.of("The Account ID no longer exists");
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading Account ID " + viewer.accountId() + " failed", e);
            }
        });
    }

    private static Optional<String> refusalOf(String code, String status) {
        return switch (AccountIdStatus.valueOf(status)) {
            case ACTIVE -> Optional.empty();
            case SUSPENDED -> Optional.of("Account ID " + code + " is suspended");
            case ARCHIVED -> Optional.of("Account ID " + code + " is archived");
        };
    }
}
