package io.meterline.platform.time;

import io.meterline.platform.common.MeterlineException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * The zone a viewer's dates are shown in, resolved in one place: the user's own zone when they set
 * one, else the organization's, else UTC. Lives on the ground floor beside {@link DayRange} (and takes
 * ids, not a {@code Viewer}) so that every feature with dated figures asks it without importing the
 * profile or security features; it reads the two zone columns ({@code user_profile.time_zone},
 * {@code organization.time_zone}) by SQL for the same reason.
 */
@Singleton
public class ViewerZones {

    private static final ZoneId UTC = ZoneId.of("UTC");

    private final ConnectionOperations<Connection> connections;

    public ViewerZones(ConnectionOperations<Connection> connections) {
        this.connections = connections;
    }

    /**
     * The zone the user's dates are shown in, and the zone a query about an organization defaults to:
     * their own zone when they set one, else that organization's (so a platform admin reading an
     * organization sees its days; none for a platform admin's own pages), else UTC. Read on every
     * dated query, so one statement on an auto-commit connection, no transaction.
     */
    public ZoneId zoneFor(long userId, @Nullable Long organizationId) {
        return connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT (SELECT time_zone FROM user_profile WHERE user_id = ?),"
                    + " (SELECT time_zone FROM organization WHERE id = ?)")) {
                statement.setLong(1, userId);
                if (organizationId == null) {
                    statement.setNull(2, Types.BIGINT);
                }
                else {
                    statement.setLong(2, organizationId);
                }
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    String zone = rows.getString(1) != null ? rows.getString(1) : rows.getString(2);
                    return zone == null ? UTC : ZoneId.of(zone);
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading the time zone of user " + userId + " failed", e);
            }
        });
    }

    /** The IANA zone a query names, else {@link #zoneFor(long, Long)}; BAD_USER_INPUT for a name that is no zone. */
    public ZoneId zoneFor(long userId, long organizationId, @Nullable String requested) {
        if (requested == null) {
            return zoneFor(userId, organizationId);
        }
        try {
            return ZoneId.of(requested);
        }
        catch (DateTimeException e) {
            throw MeterlineException.badInput(requested + " is not an IANA time zone");
        }
    }
}
