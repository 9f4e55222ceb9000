package io.meterline.platform.analytics;

import io.meterline.platform.analytics.AnalyticsJdbc.RowSink;
import io.meterline.platform.analytics.AnalyticsJdbc.Target;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Totals read from the events themselves ({@code usage_event}, each read by {@link EventReader}): the stretches of a
 * rollup read that no kept grain covers ({@link TimeGrid.Plan#raw}), and {@link #matching}. Always as of a roll: events up
 * to its mark, outside its gaps, so they answer exactly what the rows would hold.
 */
@Singleton
public class EventTotals {

    private final ConnectionOperations<Connection> connections;
    private final UsageRoller roller;
    private final EventReader events;

    EventTotals(ConnectionOperations<Connection> connections, UsageRoller roller, EventReader events) {
        this.connections = connections;
        this.roller = roller;
        this.events = events;
    }

    /**
     * The totals of an organization's events that hold every one of {@code values} (a dimension to its value, as
     * {@link EventReader} reads it: a model as {@code provider/model}, '' for none), over each range, in order. For what
     * the rollups cannot answer: they keep one dimension per row, so the intersection of two (a model within a feature)
     * is only in the events. One statement over the {@code (organization_id, occurred_at)} index for all the ranges,
     * read as a rollup read's raw stretches are (events up to the roll's mark, outside its gaps), so one value answers
     * exactly what {@link AnalyticsService#breakdowns} answers from the rows, as of the same roll. The events are filtered
     * here, not in SQL: the model's key and an absent value ('' for NULL) are {@link EventReader}'s, the one reading the
     * roll-up uses.
     */
    public List<Totals> matching(long organizationId, List<DayRange> ranges, Map<Dimension, String> values) {
        List<Target> targets = new ArrayList<>();
        List<TimeGrid.Plan> plans = new ArrayList<>();
        List<Totals> totals = new ArrayList<>();
        for (DayRange days : ranges) {
            // The grid holds the range to a breakdown's limits; its events are one raw window.
            targets.add(new Target(organizationId, TimeGrid.of(days, TimeGrid.Granularity.MONTH).whole()));
            plans.add(new TimeGrid.Plan(Map.of(), List.of(new TimeGrid.Window(days.start(), days.end(), 0))));
            totals.add(new Totals());
        }
        if (ranges.isEmpty()) {
            return totals;
        }
        Map<Long, List<Integer>> targetsOf = Map.of(organizationId, IntStream.range(0, ranges.size()).boxed().toList());
        AnalyticsJdbc.withConnection(connections, connection -> {
            read(connection, targets, plans, targetsOf, Dimension.ALL, roller.progress(connection), (target, index, value, row) -> totals.get(target).add(row),
                    event -> values.entrySet().stream().allMatch(entry -> entry.getValue().equals(event.values().get(entry.getKey()))));
            return null;
        });
        return totals;
    }

    /**
     * The events of the plans' raw stretches that {@code counted} accepts, each into its target's bucket;
     * {@code targetsOf}: each organization's targets (indexes into {@code plans}).
     */
    void read(Connection connection, List<Target> targets, List<TimeGrid.Plan> plans, Map<Long, List<Integer>> targetsOf, Dimension dimension,
              UsageRoller.Progress progress, RowSink sink, Predicate<EventReader.Event> counted) throws SQLException {
        Map<Long, List<Instant[]>> rangesOf = rangesOf(targets, plans);
        StringBuilder sql = new StringBuilder("SELECT " + EventReader.COLUMNS + " FROM usage_event WHERE id <= ?");
        sql.append(" AND id NOT BETWEEN ? AND ?".repeat(progress.gaps().size())).append(" AND (");
        sql.append(rangesOf.values().stream().map(ranges -> "(organization_id = ? AND ("
                + String.join(" OR ", Collections.nCopies(ranges.size(), "(occurred_at >= ? AND occurred_at < ?)")) + "))").collect(Collectors.joining(" OR ")));
        sql.append(")");
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int column = 1;
            statement.setLong(column++, progress.lastEventId());
            for (UsageRoller.Gap gap : progress.gaps()) {
                statement.setLong(column++, gap.first());
                statement.setLong(column++, gap.last());
            }
            for (Map.Entry<Long, List<Instant[]>> organization : rangesOf.entrySet()) {
                statement.setLong(column++, organization.getKey());
                for (Instant[] range : organization.getValue()) {
                    statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(range[0])));
                    statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(range[1])));
                }
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    EventReader.Event event = events.read(rows);
                    if (counted.test(event)) {
                        add(event, plans, targetsOf, dimension, sink);
                    }
                }
            }
        }
    }

    /** Per organization, its raw stretches, adjacent stretches of neighbouring buckets joined: one range of the (organization_id, occurred_at) index each. */
    private static Map<Long, List<Instant[]>> rangesOf(List<Target> targets, List<TimeGrid.Plan> plans) {
        Map<Long, List<Instant[]>> rangesOf = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            if (plans.get(i).raw().isEmpty()) {
                continue;
            }
            List<Instant[]> ranges = rangesOf.computeIfAbsent(targets.get(i).organizationId(), id -> new ArrayList<>());
            for (TimeGrid.Window window : plans.get(i).raw()) {
                Instant[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                if (last != null && last[1].equals(window.start())) {
                    last[1] = window.end();
                }
                else {
                    ranges.add(new Instant[] {window.start(), window.end()});
                }
            }
        }
        return rangesOf;
    }

    /** An event into the bucket of every target of its organization whose raw windows hold its time. */
    private static void add(EventReader.Event event, List<TimeGrid.Plan> plans, Map<Long, List<Integer>> targetsOf, Dimension dimension, RowSink sink) {
        for (int target : targetsOf.getOrDefault(event.organizationId(), List.of())) {
            List<TimeGrid.Window> windows = plans.get(target).raw();
            int found = Collections.binarySearch(windows, new TimeGrid.Window(event.occurredAt(), event.occurredAt(), -1), Comparator.comparing(TimeGrid.Window::start));
            int at = found >= 0 ? found : -found - 2;
            if (at >= 0 && event.occurredAt().isBefore(windows.get(at).end())) {
                sink.add(target, windows.get(at).bucket(), event.values().get(dimension), event.totals());
            }
        }
    }
}
