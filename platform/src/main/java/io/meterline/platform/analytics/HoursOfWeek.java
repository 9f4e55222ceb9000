package io.meterline.platform.analytics;

import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An organization's totals per local weekday and hour of day over a range: {@code totals[day][hour]}, Monday and
 * hour 0 first. The database sums them from the UTC hour rows where the zone's offsets in the range are whole hours;
 * where none is (Asia/Kolkata, Asia/Kathmandu), from the organization's local hour rows when the zone is its own, else
 * from quarter rows (four times as many); each row shifted by the zone's offset at its time, in one statement that
 * answers at most 7 x 24 rows per currency, however long the range. Only requests, tokens, cost and the billing cost are
 * summed (what patterns rank hours by; the other measures stay 0): each measure more is a sum over every row read.
 */
@Singleton
public class HoursOfWeek {

    private final ConnectionOperations<Connection> connections;
    private final UsageRoller roller;

    HoursOfWeek(ConnectionOperations<Connection> connections, UsageRoller roller) {
        this.connections = connections;
        this.roller = roller;
    }

    /** {@link #read}'s answer: {@code totals[day][hour]} (requests, tokens, cost and billing cost), Monday and hour 0 first, and the roll it is as of. */
    public record Grid(Totals[][] totals, Instant asOf) {
    }

    /** The offsets in force across a range, and where each starts (the range's start first). */
    private record Offsets(List<Instant> starts, List<ZoneOffset> offsets) {

        static Offsets of(DayRange days) {
            ZoneId zone = days.zone();
            List<Instant> starts = new ArrayList<>(List.of(days.start()));
            List<ZoneOffset> offsets = new ArrayList<>(List.of(zone.getRules().getOffset(days.start())));
            for (ZoneOffsetTransition transition = zone.getRules().nextTransition(days.start()); transition != null
                    && transition.getInstant().isBefore(days.end()); transition = zone.getRules().nextTransition(transition.getInstant())) {
                starts.add(transition.getInstant());
                offsets.add(transition.getOffsetAfter());
            }
            return new Offsets(starts, offsets);
        }

        /** The offset in minutes of a row's {@code bucket_start}: one parameter, or a CASE over the transitions. */
        String sql() {
            return starts.size() == 1 ? "?" : "CASE" + " WHEN bucket_start < ? THEN ?".repeat(starts.size() - 1) + " ELSE ? END";
        }

        int bind(PreparedStatement statement, int column) throws SQLException {
            for (int i = 1; i < starts.size(); i++) {
                statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(starts.get(i))));
                statement.setInt(column++, offsets.get(i - 1).getTotalSeconds() / 60);
            }
            statement.setInt(column++, offsets.get(offsets.size() - 1).getTotalSeconds() / 60);
            return column;
        }
    }

    public Grid read(long organizationId, DayRange days) {
        Offsets offsets = Offsets.of(days);
        boolean wholeHours = offsets.offsets().stream().allMatch(TimeGrid::wholeHours);
        boolean noWholeHour = offsets.offsets().stream().noneMatch(TimeGrid::wholeHours);
        String sql = "SELECT MOD(TIMESTAMPDIFF(DAY, TIMESTAMP '2000-01-03 00:00:00', local_start), 7) AS day_of_week, HOUR(local_start) AS hour_of_day,"
                + " currency, billing_currency, SUM(requests) AS requests, SUM(tokens) AS tokens, SUM(cost) AS cost, SUM(billing_cost) AS billing_cost"
                + " FROM (SELECT TIMESTAMPADD(MINUTE, " + offsets.sql() + ", bucket_start) AS local_start, currency, billing_currency, requests, tokens, cost,"
                + " billing_cost FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL' AND grain = ? AND bucket_start >= ? AND bucket_start < ?) r"
                + " GROUP BY day_of_week, hour_of_day, currency, billing_currency";
        return AnalyticsJdbc.withConnection(connections, connection -> {
            char grain = wholeHours ? 'H' : noWholeHour && days.zone().equals(roller.zoneOf(connection, organizationId)) ? 'L' : 'Q';
            Instant asOf = roller.progress(connection).rolledAt();
            Totals[][] totals = new Totals[7][24];
            for (Totals[] day : totals) {
                Arrays.setAll(day, hour -> new Totals());
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int column = offsets.bind(statement, 1);
                statement.setLong(column++, organizationId);
                statement.setString(column++, String.valueOf(grain));
                statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(days.start())));
                statement.setTimestamp(column, Timestamp.valueOf(TimeBuckets.toColumn(days.end())));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Totals cell = totals[rows.getInt("day_of_week")][rows.getInt("hour_of_day")];
                        cell.requests += rows.getLong("requests");
                        cell.tokens = cell.tokens.add(rows.getBigDecimal("tokens"));
                        cell.addCost(rows.getString("currency"), rows.getBigDecimal("cost"));
                        cell.addBillingCost(rows.getString("billing_currency"), rows.getBigDecimal("billing_cost"));
                    }
                }
            }
            return new Grid(totals, asOf);
        });
    }
}
