package io.meterline.platform.allocation;

import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.SqlStates;
import io.meterline.platform.common.jdbc.TimeColumns;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cost centers and allocation rules. Organization ids come from {@link io.meterline.platform.security.TenantScope}
 * through the service; a rule is read with its splits and their cost centers in one statement.
 */
@Singleton
public class AllocationStore {

    private static final String COST_CENTER_COLUMNS = "c.id, c.organization_id, c.code, c.name, c.archived, c.created_at, c.updated_at";
    private static final String RULE_SELECT = "SELECT r.id AS rule_id, r.organization_id AS rule_organization_id, r.dimension, r.dimension_value,"
            + " r.updated_at AS rule_updated_at, s.percent, " + COST_CENTER_COLUMNS
            + " FROM allocation_rule r JOIN allocation_split s ON s.rule_id = r.id JOIN cost_center c ON c.id = s.cost_center_id";

    private final TransactionOperations<Connection> transactions;

    public AllocationStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** A split as written: a cost center row id and its percent. */
    record NewSplit(long costCenterId, BigDecimal percent) {
    }

    public Optional<CostCenter> costCenter(long id) {
        return JdbcWork.read(transactions, connection -> costCenters(connection, "SELECT " + COST_CENTER_COLUMNS + " FROM cost_center c WHERE c.id = ?", id)
                .stream().findFirst());
    }

    /** A page of an organization's cost centers by id, archived ones when asked for. */
    List<CostCenter> costCenters(long organizationId, long afterId, boolean includeArchived, int limit) {
        return JdbcWork.read(transactions, connection -> costCenters(connection, "SELECT " + COST_CENTER_COLUMNS + " FROM cost_center c"
                + " WHERE c.organization_id = ? AND c.id > ? AND (? OR c.archived = FALSE) ORDER BY c.id LIMIT ?", organizationId, afterId, includeArchived, limit));
    }

    long countCostCenters(long organizationId, boolean includeArchived) {
        return JdbcWork.read(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM cost_center WHERE organization_id = ? AND (? OR archived = FALSE)")) {
                statement.setLong(1, organizationId);
                statement.setBoolean(2, includeArchived);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** Every cost center of an organization, archived ones too, by code: the report's rows. */
    List<CostCenter> allCostCenters(long organizationId) {
        return JdbcWork.read(transactions, connection -> costCenters(connection, "SELECT " + COST_CENTER_COLUMNS + " FROM cost_center c"
                + " WHERE c.organization_id = ? ORDER BY c.code, c.id", organizationId));
    }

    /** The organization's cost centers among {@code ids}; another organization's are not found. */
    List<CostCenter> costCenters(long organizationId, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Object[] parameters = new Object[ids.size() + 1];
        parameters[0] = organizationId;
        System.arraycopy(ids.toArray(), 0, parameters, 1, ids.size());
        return JdbcWork.read(transactions, connection -> costCenters(connection, "SELECT " + COST_CENTER_COLUMNS + " FROM cost_center c WHERE c.organization_id = ?"
                + " AND c.id IN (" + Placeholders.in(ids.size()) + ")", parameters));
    }

    /** Whether another cost center of the organization has the code, ignoring case (MariaDB's unique key ignores it too; H2's does not). */
    boolean codeTaken(long organizationId, String code, long exceptId) {
        return JdbcWork.read(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM cost_center WHERE organization_id = ? AND UPPER(code) = UPPER(?) AND id <> ?")) {
                statement.setLong(1, organizationId);
                statement.setString(2, code);
                statement.setLong(3, exceptId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    CostCenter insert(long organizationId, String code, String name, Instant now) {
        return JdbcWork.write(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO cost_center (organization_id, code, name, archived, created_at, updated_at)"
                    + " VALUES (?, ?, ?, FALSE, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                statement.setLong(1, organizationId);
                statement.setString(2, code);
                statement.setString(3, name);
                statement.setObject(4, TimeColumns.toColumn(now));
                statement.setObject(5, TimeColumns.toColumn(now));
                statement.executeUpdate();
                try (ResultSet keys = statement.getGeneratedKeys()) {
                    keys.next();
                    return new CostCenter(keys.getLong(1), organizationId, code, name, false, now, now);
                }
            }
        });
    }

    CostCenter update(CostCenter costCenter) {
        return JdbcWork.write(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE cost_center SET code = ?, name = ?, archived = ?, updated_at = ? WHERE id = ?")) {
                statement.setString(1, costCenter.code());
                statement.setString(2, costCenter.name());
                statement.setBoolean(3, costCenter.archived());
                statement.setObject(4, TimeColumns.toColumn(costCenter.updatedAt()));
                statement.setLong(5, costCenter.id());
                statement.executeUpdate();
                return costCenter;
            }
        });
    }

    public Optional<AllocationRule> rule(long id) {
        return JdbcWork.read(transactions, connection -> rules(connection, RULE_SELECT + " WHERE r.id = ? ORDER BY c.code, c.id", id).stream().findFirst());
    }

    /** A page of an organization's rules by id. */
    List<AllocationRule> rules(long organizationId, long afterId, int limit) {
        return JdbcWork.read(transactions, connection -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM allocation_rule WHERE organization_id = ? AND id > ? ORDER BY id LIMIT ?")) {
                statement.setLong(1, organizationId);
                statement.setLong(2, afterId);
                statement.setInt(3, limit);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
            }
            if (ids.isEmpty()) {
                return List.of();
            }
            return rules(connection, RULE_SELECT + " WHERE r.id IN (" + Placeholders.in(ids.size()) + ") ORDER BY r.id, c.code, c.id",
                    ids.toArray());
        });
    }

    long countRules(long organizationId) {
        return JdbcWork.read(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM allocation_rule WHERE organization_id = ?")) {
                statement.setLong(1, organizationId);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** Every rule of an organization with its splits, in one statement: what a report applies. */
    List<AllocationRule> allRules(long organizationId) {
        return JdbcWork.read(transactions, connection -> rules(connection, RULE_SELECT + " WHERE r.organization_id = ? ORDER BY r.id, c.code, c.id", organizationId));
    }

    /** How often {@link #setRule} runs its transaction when a concurrent first set of the same value took the unique key. */
    private static final int SET_RULE_ATTEMPTS = 3;

    /**
     * Sets the rule of a dimension value (found ignoring case, as MariaDB's unique key compares): its splits are replaced
     * in one transaction, so a report never sees half a rule. Concurrent sets of one value: the rule row's update
     * serializes those that find it, and the last to commit wins whole. Two first-time sets both find no rule and both
     * insert; the unique key refuses the later (whose transaction rolls back whole), which then runs again, finds the
     * committed rule and replaces its splits. The look-up is a plain read, not {@code FOR UPDATE}: on InnoDB a locking
     * read that finds nothing takes gap locks, and the two inserts into the same gap would deadlock instead.
     */
    long setRule(long organizationId, AllocationDimension dimension, String value, List<NewSplit> splits, Instant now) {
        for (int attempt = 1; ; attempt++) {
            try {
                return writeRule(organizationId, dimension, value, splits, now);
            }
            catch (RuntimeException e) {
                if (attempt == SET_RULE_ATTEMPTS || !SqlStates.isDuplicateKey(e)) {
                    throw e;
                }
            }
        }
    }

    private long writeRule(long organizationId, AllocationDimension dimension, String value, List<NewSplit> splits, Instant now) {
        return JdbcWork.write(transactions, connection -> {
            Long id = null;
            try (PreparedStatement statement = connection.prepareStatement("SELECT id FROM allocation_rule WHERE organization_id = ? AND dimension = ?"
                    + " AND UPPER(dimension_value) = UPPER(?)")) {
                statement.setLong(1, organizationId);
                statement.setString(2, dimension.name());
                statement.setString(3, value);
                try (ResultSet rows = statement.executeQuery()) {
                    if (rows.next()) {
                        id = rows.getLong(1);
                    }
                }
            }
            if (id == null) {
                try (PreparedStatement statement = connection.prepareStatement("INSERT INTO allocation_rule (organization_id, dimension, dimension_value, created_at,"
                        + " updated_at) VALUES (?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                    statement.setLong(1, organizationId);
                    statement.setString(2, dimension.name());
                    statement.setString(3, value);
                    statement.setObject(4, TimeColumns.toColumn(now));
                    statement.setObject(5, TimeColumns.toColumn(now));
                    statement.executeUpdate();
                    try (ResultSet keys = statement.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
            }
            else {
                try (PreparedStatement statement = connection.prepareStatement("UPDATE allocation_rule SET dimension_value = ?, updated_at = ? WHERE id = ?")) {
                    statement.setString(1, value);
                    statement.setObject(2, TimeColumns.toColumn(now));
                    statement.setLong(3, id);
                    statement.executeUpdate();
                }
                try (PreparedStatement statement = connection.prepareStatement("DELETE FROM allocation_split WHERE rule_id = ?")) {
                    statement.setLong(1, id);
                    statement.executeUpdate();
                }
            }
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO allocation_split (rule_id, cost_center_id, percent) VALUES (?, ?, ?)")) {
                for (NewSplit split : splits) {
                    statement.setLong(1, id);
                    statement.setLong(2, split.costCenterId());
                    statement.setBigDecimal(3, split.percent());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
            return id;
        });
    }

    /** Deletes a rule and its splits (they cascade). */
    void deleteRule(long id) {
        JdbcWork.write(transactions, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM allocation_rule WHERE id = ?")) {
                statement.setLong(1, id);
                return statement.executeUpdate();
            }
        });
    }

    private static List<CostCenter> costCenters(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters); ResultSet rows = statement.executeQuery()) {
            List<CostCenter> found = new ArrayList<>();
            while (rows.next()) {
                found.add(costCenter(rows));
            }
            return found;
        }
    }

    /** Rules from {@link #RULE_SELECT} rows, one row per split, in the order of their first row. */
    private static List<AllocationRule> rules(Connection connection, String sql, Object... parameters) throws SQLException {
        Map<Long, AllocationRule> rules = new LinkedHashMap<>();
        Map<Long, List<AllocationRule.Split>> splits = new LinkedHashMap<>();
        try (PreparedStatement statement = prepare(connection, sql, parameters); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long id = rows.getLong("rule_id");
                if (!rules.containsKey(id)) {
                    rules.put(id, new AllocationRule(id, rows.getLong("rule_organization_id"), AllocationDimension.valueOf(rows.getString("dimension")),
                            rows.getString("dimension_value"), List.of(), instant(rows, "rule_updated_at")));
                }
                splits.computeIfAbsent(id, ignored -> new ArrayList<>()).add(new AllocationRule.Split(costCenter(rows), rows.getBigDecimal("percent")));
            }
        }
        return rules.values().stream().map(rule -> new AllocationRule(rule.id(), rule.organizationId(), rule.dimension(), rule.value(), splits.get(rule.id()),
                rule.updatedAt())).toList();
    }

    private static CostCenter costCenter(ResultSet rows) throws SQLException {
        return new CostCenter(rows.getLong("id"), rows.getLong("organization_id"), rows.getString("code"), rows.getString("name"), rows.getBoolean("archived"),
                instant(rows, "created_at"), instant(rows, "updated_at"));
    }

    private static Instant instant(ResultSet rows, String column) throws SQLException {
        return TimeColumns.fromColumn(rows.getObject(column, LocalDateTime.class));
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }
}
