/**
 * The one JDBC toolkit of the stores that write SQL by hand: {@link io.meterline.platform.common.jdbc.JdbcWork}
 * (work on a connection in a read or write transaction), {@link io.meterline.platform.common.jdbc.TimeColumns}
 * (instants as UTC DATETIME), {@link io.meterline.platform.common.jdbc.Placeholders} ({@code IN} lists),
 * {@link io.meterline.platform.common.jdbc.SqlStates} (duplicate key; deadlock or lock wait worth a retry)
 * and {@link io.meterline.platform.common.jdbc.Upsert} with {@link io.meterline.platform.common.jdbc.SqlDialect}
 * (the MySQL upsert clause, spelled for the database at hand). Only plumbing lives here: the stores keep
 * their tuned queries hand-written. Like the rest of {@code common}, it imports no feature.
 */
package io.meterline.platform.common.jdbc;
