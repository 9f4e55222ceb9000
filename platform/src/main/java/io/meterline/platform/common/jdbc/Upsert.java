package io.meterline.platform.common.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one place that writes MySQL's upsert, {@code INSERT INTO t (...) VALUES (?, ...) ON DUPLICATE
 * KEY UPDATE ...}, for one row of parameters (run it as a batch for many). How the clause names the
 * new row depends on the database ({@link SqlDialect}); a store keeps its {@code Upsert} in a
 * constant, which renders both spellings once when built and picks one on first use from the
 * connection's metadata: hot paths (ingestion, rollups) never build SQL per row or per batch.
 *
 * <p>A process talks to one database, so the first connection's product decides for the
 * lifetime of the statement.
 *
 * <pre>{@code
 * Upsert.into("budget_counter", "budget_id", "period_start", "consumed").add("consumed").build()
 * }</pre>
 */
public final class Upsert {

    /** The alias of the new row in the {@link SqlDialect#ROW_ALIAS} spelling. */
    static final String ROW = "new";

    private final Map<SqlDialect, String> sql;
    private volatile String chosen;

    private Upsert(Map<SqlDialect, String> sql) {
        this.sql = sql;
    }

    /** Starts an upsert into the table with these columns, bound as parameters in this order. */
    public static Builder into(String table, String... columns) {
        return new Builder(table, List.of(columns));
    }

    /** The statement for the database behind this connection (chosen once). */
    public String sql(Connection connection) throws SQLException {
        String statement = chosen;
        if (statement == null) {
            statement = sql(SqlDialect.of(connection.getMetaData()));
            chosen = statement;
        }
        return statement;
    }

    /** The statement in one dialect. */
    public String sql(SqlDialect dialect) {
        return sql.get(dialect);
    }

    @Override
    public String toString() {
        return sql(SqlDialect.VALUES_FUNCTION);
    }

    /** Collects the assignments of the update clause, in the order they are written. */
    public static final class Builder {

        private final String table;
        private final List<String> columns;
        private final List<Function<Function<String, String>, String>> assignments = new ArrayList<>();

        private Builder(String table, List<String> columns) {
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("An upsert into " + table + " needs columns");
            }
            this.table = table;
            this.columns = columns;
        }

        /** {@code c = c + new c}: counters and sums. */
        public Builder add(String... columns) {
            for (String column : columns) {
                assignment(column, incoming -> column + " = " + column + " + " + incoming.apply(column));
            }
            return this;
        }

        /** {@code c = new c}: the last writer wins. */
        public Builder replace(String... columns) {
            for (String column : columns) {
                assignment(column, incoming -> column + " = " + incoming.apply(column));
            }
            return this;
        }

        /** {@code c = GREATEST(c, new c)}: the latest time (or largest value) wins. */
        public Builder greatest(String... columns) {
            for (String column : columns) {
                assignment(column, incoming -> column + " = GREATEST(" + column + ", " + incoming.apply(column) + ")");
            }
            return this;
        }

        /** {@code c = LEAST(c, new c)}: the earliest time (or smallest value) wins. */
        public Builder least(String... columns) {
            for (String column : columns) {
                assignment(column, incoming -> column + " = LEAST(" + column + ", " + incoming.apply(column) + ")");
            }
            return this;
        }

        private void assignment(String column, Function<Function<String, String>, String> assignment) {
            if (!columns.contains(column)) {
                throw new IllegalArgumentException(column + " is not inserted into " + table);
            }
            assignments.add(assignment);
        }

        public Upsert build() {
            if (assignments.isEmpty()) {
                throw new IllegalArgumentException("An upsert into " + table + " needs at least one assignment");
            }
            return new Upsert(Map.of(
                    SqlDialect.VALUES_FUNCTION, render("", column -> "VALUES(" + column + ")"),
                    SqlDialect.ROW_ALIAS, render(" AS " + ROW, column -> ROW + "." + column)));
        }

        private String render(String alias, Function<String, String> incoming) {
            StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (").append(String.join(", ", columns))
                    .append(") VALUES (").append(Placeholders.in(columns.size())).append(')').append(alias)
                    .append(" ON DUPLICATE KEY UPDATE ");
            for (int i = 0; i < assignments.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(assignments.get(i).apply(incoming));
            }
            return sql.toString();
        }
    }
}
