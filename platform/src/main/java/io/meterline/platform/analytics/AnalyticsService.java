package io.meterline.platform.analytics;

import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Series, breakdowns and totals read from {@code usage_rollup}: one statement per grain a page needs,
 * and one over the events for the stretches no kept grain covers (see {@link TimeGrid#plan}),
 * whatever the number of events or groups.
 */
@Singleton
public class AnalyticsService {

    private final ConnectionOperations<Connection> connections;
    private final UsageRoller roller;
    private final EventReader events;

    AnalyticsService(ConnectionOperations<Connection> connections, UsageRoller roller, EventReader events) {
        this.connections = connections;
        this.roller = roller;
        this.events = events;
    }

    /** A group of a bucket or breakdown: a dimension value and its totals. */
    public record Group(String key, Totals totals) {
    }

    /** One bucket of a series. */
    public record SeriesBucket(TimeGrid.Bucket bucket, Totals totals, List<Group> groups) {
    }

    /** A series: the buckets in order, every bucket present (zero when nothing was used). */
    public record Series(DayRange days, TimeGrid.Granularity granularity, @Nullable Dimension groupBy, List<SeriesBucket> buckets, Totals totals,
                         Instant asOf) {
    }

    /** A breakdown: groups by descending billing cost, then tokens, then requests, with the range's totals. */
    public record Breakdown(DayRange days, Dimension dimension, List<Group> groups, Totals totals, Instant asOf) {

        /** A group's share of the total, in percent (0 when the total is 0). */
        public static double share(BigDecimal part, BigDecimal whole) {
            return whole.signum() == 0 ? 0 : part.multiply(BigDecimal.valueOf(100)).divide(whole, 4, RoundingMode.HALF_EVEN).doubleValue();
        }
    }

    public Series series(long organizationId, DayRange days, TimeGrid.Granularity granularity, @Nullable Dimension groupBy) {
        TimeGrid grid = TimeGrid.of(days, granularity);
        int size = grid.buckets().size();
        List<Totals> totals = new ArrayList<>();
        List<Map<String, Totals>> groups = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            totals.add(new Totals());
            groups.add(new LinkedHashMap<>());
        }
        Dimension dimension = groupBy == null ? Dimension.ALL : groupBy;
        Instant asOf = read(organizationId, dimension, grid, (target, index, value, row) -> {
            totals.get(index).add(row);
            if (groupBy != null) {
                groups.get(index).computeIfAbsent(value, key -> new Totals()).add(row);
            }
        });
        List<SeriesBucket> buckets = new ArrayList<>();
        Totals all = new Totals();
        for (int i = 0; i < size; i++) {
            all.add(totals.get(i));
            buckets.add(new SeriesBucket(grid.buckets().get(i), totals.get(i), sorted(groups.get(i))));
        }
        return new Series(days, granularity, groupBy, buckets, all, asOf);
    }

    public Breakdown breakdown(long organizationId, DayRange days, Dimension dimension) {
        TimeGrid grid = TimeGrid.of(days, TimeGrid.Granularity.MONTH).whole();
        Map<String, Totals> groups = new LinkedHashMap<>();
        Totals all = new Totals();
        Instant asOf = read(organizationId, dimension, grid, (target, index, value, row) -> {
            all.add(row);
            groups.computeIfAbsent(value, key -> new Totals()).add(row);
        });
        return new Breakdown(days, dimension, sorted(groups), all, asOf);
    }

    /** One organization's local date range, for {@link #breakdowns}. */
    public record Span(long organizationId, DayRange days) {
    }

    /**
     * Breakdowns of many organizations (or of one over many ranges) at once, each over its own date
     * range, in the order of {@code spans}: one statement per grain for them all, never one per
     * organization. A range of the organization's own days (its zone) reads day rows only.
     */
    public List<Breakdown> breakdowns(List<Span> spans, Dimension dimension) {
        if (spans.isEmpty()) {
            return List.of();
        }
        List<Target> targets = spans.stream().map(span -> new Target(span.organizationId(), TimeGrid.of(span.days(), TimeGrid.Granularity.MONTH).whole())).toList();
        List<Map<String, Totals>> groups = new ArrayList<>();
        List<Totals> all = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            groups.add(new LinkedHashMap<>());
            all.add(new Totals());
        }
        Instant asOf = read(targets, dimension, (target, index, value, row) -> {
            all.get(target).add(row);
            groups.get(target).computeIfAbsent(value, key -> new Totals()).add(row);
        });
        List<Breakdown> breakdowns = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            breakdowns.add(new Breakdown(spans.get(i).days(), dimension, sorted(groups.get(i)), all.get(i), asOf));
        }
        return breakdowns;
    }

    /**
     * The totals of an organization's events that hold every one of {@code values} (a dimension to its value, as
     * {@link EventReader} reads it: a model as {@code provider/model}, '' for none), over each range, in order. For what
     * the rollups cannot answer: they keep one dimension per row, so the intersection of two (a model within a feature)
     * is only in the events. One statement over the {@code (organization_id, occurred_at)} index for all the ranges,
     * read as a rollup read's raw stretches are (events up to the roll's mark, outside its gaps), so one value answers
     * exactly what {@link #breakdowns} answers from the rows, as of the same roll. The events are filtered here, not in
     * SQL: the model's key and an absent value ('' for NULL) are {@link EventReader}'s, the one reading the roll-up uses.
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
        withConnection(connection -> {
            readEvents(connection, targets, plans, targetsOf, Dimension.ALL, roller.progress(connection), (target, index, value, row) -> totals.get(target).add(row),
                    event -> values.entrySet().stream().allMatch(entry -> entry.getValue().equals(event.values().get(entry.getKey()))));
            return null;
        });
        return totals;
    }

    /**
     * An organization's total over each stretch between consecutive {@code edges} (ascending instants),
     * read like a series (whole days, hours and quarters from the rollups, the rest from the events),
     * without a series' length limits: insight scores and groups up to a year of hours. Dates of the
     * buckets are in {@code zone}.
     */
    public Stretches totalsBetween(long organizationId, List<Instant> edges, ZoneId zone) {
        if (edges.size() < 2) {
            return new Stretches(List.of(), asOf());
        }
        TimeGrid grid = TimeGrid.between(edges, zone);
        List<Totals> totals = new ArrayList<>();
        for (int i = 1; i < edges.size(); i++) {
            totals.add(new Totals());
        }
        Instant asOf = read(organizationId, Dimension.ALL, grid, (target, index, value, row) -> totals.get(index).add(row));
        return new Stretches(totals, asOf);
    }

    /** The totals of {@link #totalsBetween}'s stretches, in order, and the roll they are as of. */
    public record Stretches(List<Totals> totals, Instant asOf) {
    }

    /**
     * An organization's totals per local weekday and hour of day over a range: {@code totals[day][hour]}, Monday and
     * hour 0 first. The database sums them from the UTC hour rows where the zone's offsets in the range are whole hours;
     * where none is (Asia/Kolkata, Asia/Kathmandu), from the organization's local hour rows when the zone is its own, else
     * from quarter rows (four times as many); each row shifted by the zone's offset at its time, in one statement that
     * answers at most 7 x 24 rows per currency, however long the range. Only requests, tokens, cost and the billing cost are
     * summed (what patterns rank hours by; the other measures stay 0): each measure more is a sum over every row read.
     */
    public HoursOfWeek hoursOfWeek(long organizationId, DayRange days) {
        ZoneId zone = days.zone();
        // The offsets in force across the range, and where each starts.
        List<Instant> starts = new ArrayList<>(List.of(days.start()));
        List<ZoneOffset> offsets = new ArrayList<>(List.of(zone.getRules().getOffset(days.start())));
        for (ZoneOffsetTransition transition = zone.getRules().nextTransition(days.start()); transition != null
                && transition.getInstant().isBefore(days.end()); transition = zone.getRules().nextTransition(transition.getInstant())) {
            starts.add(transition.getInstant());
            offsets.add(transition.getOffsetAfter());
        }
        boolean wholeHours = offsets.stream().allMatch(TimeGrid::wholeHours);
        boolean noWholeHour = offsets.stream().noneMatch(TimeGrid::wholeHours);
        String offset = starts.size() == 1 ? "?" : "CASE" + " WHEN bucket_start < ? THEN ?".repeat(starts.size() - 1) + " ELSE ? END";
        String sql = "SELECT MOD(TIMESTAMPDIFF(DAY, TIMESTAMP '2000-01-03 00:00:00', local_start), 7) AS day_of_week, HOUR(local_start) AS hour_of_day,"
                + " currency, billing_currency, SUM(requests) AS requests, SUM(tokens) AS tokens, SUM(cost) AS cost, SUM(billing_cost) AS billing_cost"
                + " FROM (SELECT TIMESTAMPADD(MINUTE, " + offset + ", bucket_start) AS local_start, currency, billing_currency, requests, tokens, cost,"
                + " billing_cost FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL' AND grain = ? AND bucket_start >= ? AND bucket_start < ?) r"
                + " GROUP BY day_of_week, hour_of_day, currency, billing_currency";
        return withConnection(connection -> {
            char grain = wholeHours ? 'H' : noWholeHour && zone.equals(roller.zoneOf(connection, organizationId)) ? 'L' : 'Q';
            Instant asOf = roller.progress(connection).rolledAt();
            Totals[][] totals = new Totals[7][24];
            for (Totals[] day : totals) {
                Arrays.setAll(day, hour -> new Totals());
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int column = 1;
                for (int i = 1; i < starts.size(); i++) {
                    statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(starts.get(i))));
                    statement.setInt(column++, offsets.get(i - 1).getTotalSeconds() / 60);
                }
                statement.setInt(column++, offsets.get(offsets.size() - 1).getTotalSeconds() / 60);
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
            return new HoursOfWeek(totals, asOf);
        });
    }

    /** {@link #hoursOfWeek}'s answer: {@code totals[day][hour]} (requests, tokens, cost and billing cost), Monday and hour 0 first, and the roll it is as of. */
    public record HoursOfWeek(Totals[][] totals, Instant asOf) {
    }

    /**
     * Organizations with usage rolled up in the UTC hours from the one holding {@code since}: one
     * statement, one seek of the rollup's key per organization (its latest hour row; never a scan of the rollup or events).
     */
    public List<Long> organizationsActiveSince(Instant since) {
        return withConnection(connection -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT o.id FROM organization o WHERE (SELECT r.bucket_start FROM usage_rollup r"
                    + " WHERE r.organization_id = o.id AND r.dimension = 'ALL' AND r.grain = 'H' ORDER BY r.bucket_start DESC LIMIT 1) >= ? ORDER BY o.id")) {
                statement.setTimestamp(1, Timestamp.valueOf(TimeBuckets.toColumn(since.truncatedTo(ChronoUnit.HOURS))));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /** A chat or session: its first and last call and totals (duration: the calls' own durations added up). */
    public record Session(String key, Instant firstAt, Instant lastAt, Totals totals) {
    }

    /** A page of sessions active in the range, the latest active first, and how many there are. */
    public record Sessions(List<Session> sessions, long totalCount) {
    }

    public Sessions sessions(long organizationId, DayRange days, int first) {
        return withConnection(connection -> {
            String where = " FROM usage_session WHERE organization_id = ? AND last_at >= ? AND first_at < ?";
            List<String> keys = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT session_key, MAX(last_at) AS latest" + where
                    + " GROUP BY session_key ORDER BY latest DESC, session_key LIMIT " + first)) {
                bindRange(statement, organizationId, days);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        keys.add(rows.getString(1));
                    }
                }
            }
            long total;
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(DISTINCT session_key)" + where)) {
                bindRange(statement, organizationId, days);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    total = rows.getLong(1);
                }
            }
            Map<String, Session> found = sessionsByKey(connection, organizationId, keys);
            return new Sessions(keys.stream().map(found::get).toList(), total);
        });
    }

    public java.util.Optional<Session> session(long organizationId, String key) {
        return withConnection(connection -> java.util.Optional.ofNullable(sessionsByKey(connection, organizationId, List.of(key)).get(key)));
    }

    private static void bindRange(PreparedStatement statement, long organizationId, DayRange days) throws SQLException {
        statement.setLong(1, organizationId);
        statement.setTimestamp(2, Timestamp.valueOf(TimeBuckets.toColumn(days.start())));
        statement.setTimestamp(3, Timestamp.valueOf(TimeBuckets.toColumn(days.end())));
    }

    private static Map<String, Session> sessionsByKey(Connection connection, long organizationId, List<String> keys) throws SQLException {
        Map<String, Session> sessions = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return sessions;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT session_key, currency, billing_currency, first_at, last_at, requests,"
                + " error_requests, tokens, input_tokens, output_tokens, cost, billing_cost, duration_ms FROM usage_session WHERE organization_id = ? AND session_key IN ("
                + String.join(", ", Collections.nCopies(keys.size(), "?")) + ")")) {
            statement.setLong(1, organizationId);
            for (int i = 0; i < keys.size(); i++) {
                statement.setString(2 + i, keys.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Totals totals = totals(rows, false);
                    Instant firstAt = TimeBuckets.fromColumn(rows.getTimestamp("first_at").toLocalDateTime());
                    Instant lastAt = TimeBuckets.fromColumn(rows.getTimestamp("last_at").toLocalDateTime());
                    sessions.merge(rows.getString("session_key"), new Session(rows.getString("session_key"), firstAt, lastAt, totals), (one, two) -> {
                        one.totals().add(two.totals());
                        return new Session(one.key(), one.firstAt().isBefore(two.firstAt()) ? one.firstAt() : two.firstAt(),
                                one.lastAt().isAfter(two.lastAt()) ? one.lastAt() : two.lastAt(), one.totals());
                    });
                }
            }
        }
        return sessions;
    }

    /** Everything an organization ever recorded (all its day rows; no zone matters). */
    public Totals lifetime(long organizationId) {
        return withConnection(connection -> {
            Totals all = new Totals();
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + ROW_COLUMNS
                    + " FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL' AND grain = 'D'")) {
                statement.setLong(1, organizationId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        all.add(totals(rows, true));
                    }
                }
            }
            return all;
        });
    }

    /** When the figures were rolled up. */
    public Instant asOf() {
        return withConnection(connection -> roller.progress(connection).rolledAt());
    }

    /** A row of one target's bucket: {@code target} is the index of the organization's grid in the read. */
    private interface RowSink {
        void add(int target, int bucketIndex, String value, Totals row);
    }

    /** Reads work, on a connection of its own (no transaction: every read here is of committed rows only). */
    private <R> R withConnection(SqlWork<R> work) {
        return connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try {
                return work.apply(status.getConnection());
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading usage analytics failed", e);
            }
        });
    }

    private interface SqlWork<R> {
        R apply(Connection connection) throws SQLException;
    }

    /** One organization's buckets, in a read of many organizations at once. */
    private record Target(long organizationId, TimeGrid grid) {
    }

    private static final String ROW_COLUMNS = "bucket_start, dimension_value, currency, billing_currency, requests, error_requests, tokens, input_tokens,"
            + " output_tokens, characters, minutes, images, cost, billing_cost, duration_ms";

    /** The measures of {@link #ROW_COLUMNS}, summed under their own names. */
    private static final String SUMS = Arrays.stream(ROW_COLUMNS.split(", ")).skip(4).map(column -> "SUM(" + column + ") AS " + column)
            .collect(Collectors.joining(", "));

    private Instant read(long organizationId, Dimension dimension, TimeGrid grid, RowSink sink) {
        return read(List.of(new Target(organizationId, grid)), dimension, sink);
    }

    /**
     * One statement per grain the targets' plans use, over those grains' units only (targets with the
     * same first and last unit share one {@code organization_id IN (...)} range), and one over the
     * events of the plans' raw stretches that the rollups hold (up to the roll's mark, outside its
     * gaps), so both parts answer as of the same roll, whatever the number of organizations.
     */
    private Instant read(List<Target> targets, Dimension dimension, RowSink sink) {
        // No transaction (its begin and commit would cost more round trips than the reads): the mark is read first, so the
        // events read are never past it, while rows may already hold a later roll; a stretch is read from rows or events, never both.
        return withConnection(connection -> {
            UsageRoller.Progress progress = roller.progress(connection);
            Map<Long, ZoneId> zones = roller.zonesOf(connection, targets.stream().map(Target::organizationId).toList());
            List<TimeGrid.Plan> plans = new ArrayList<>();
            Map<Long, List<Integer>> targetsOf = new HashMap<>();
            for (int i = 0; i < targets.size(); i++) {
                plans.add(targets.get(i).grid().plan(dimension, zones.get(targets.get(i).organizationId())));
                targetsOf.computeIfAbsent(targets.get(i).organizationId(), id -> new ArrayList<>()).add(i);
            }
            for (char grain : dimension.grains().toCharArray()) {
                // Each target's first and last unit of this grain (null when it needs none), and organizations by them.
                List<List<Instant>> spanOf = new ArrayList<>();
                Map<List<Instant>, List<Long>> ranges = new LinkedHashMap<>();
                for (int i = 0; i < targets.size(); i++) {
                    Map<Instant, Integer> units = plans.get(i).units().get(grain);
                    spanOf.add(units.isEmpty() ? null : List.of(Collections.min(units.keySet()), Collections.max(units.keySet())));
                    if (!units.isEmpty()) {
                        List<Long> ids = ranges.computeIfAbsent(spanOf.get(i), key -> new ArrayList<>());
                        if (!ids.contains(targets.get(i).organizationId())) {
                            ids.add(targets.get(i).organizationId());
                        }
                    }
                }
                if (ranges.isEmpty()) {
                    continue;
                }
                String part = "dimension = ? AND grain = ? AND organization_id IN (%s) AND bucket_start BETWEEN ? AND ?";
                List<String> parts = ranges.values().stream().map(ids -> String.format(part, String.join(", ", Collections.nCopies(ids.size(), "?")))).toList();
                // Where every target's rows between its first and last unit all fall in its one bucket, the database adds them up,
                // one part per range (parts may overlap: a month inside its year).
                boolean summed = summable(targets, plans, spanOf, zones, grain);
                String sql = summed
                        ? IntStream.range(0, parts.size()).mapToObj(i -> "SELECT " + i + " AS part, organization_id, dimension_value, currency, billing_currency, " + SUMS
                                + " FROM usage_rollup WHERE " + parts.get(i) + " GROUP BY organization_id, dimension_value, currency, billing_currency")
                                .collect(Collectors.joining(" UNION ALL "))
                        : "SELECT organization_id, " + ROW_COLUMNS + " FROM usage_rollup WHERE "
                                + parts.stream().map(where -> "(" + where + ")").collect(Collectors.joining(" OR "));
                List<List<Instant>> partSpans = new ArrayList<>(ranges.keySet());
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    int column = 1;
                    for (Map.Entry<List<Instant>, List<Long>> range : ranges.entrySet()) {
                        statement.setString(column++, dimension.name());
                        statement.setString(column++, String.valueOf(grain));
                        for (long id : range.getValue()) {
                            statement.setLong(column++, id);
                        }
                        statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(range.getKey().get(0))));
                        statement.setTimestamp(column++, Timestamp.valueOf(TimeBuckets.toColumn(range.getKey().get(1))));
                    }
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            long organizationId = rows.getLong("organization_id");
                            List<Instant> partSpan = summed ? partSpans.get(rows.getInt("part")) : null;
                            Instant start = summed ? null : TimeBuckets.fromColumn(rows.getTimestamp("bucket_start").toLocalDateTime());
                            Totals row = null;
                            for (int target : targetsOf.getOrDefault(organizationId, List.of())) {
                                // A summed row belongs to the targets whose units span its part's range, into their one bucket.
                                Integer index = summed ? (partSpan.equals(spanOf.get(target)) ? 0 : null) : plans.get(target).units().get(grain).get(start);
                                if (index != null) {
                                    row = row == null ? totals(rows, true) : row;
                                    sink.add(target, index, rows.getString("dimension_value"), row);
                                }
                            }
                        }
                    }
                }
            }
            if (plans.stream().anyMatch(plan -> !plan.raw().isEmpty())) {
                readEvents(connection, targets, plans, targetsOf, dimension, progress, sink, event -> true);
            }
            return progress.rolledAt();
        });
    }

    /**
     * Whether a grain's statement may sum in the database: every target's units of the grain belong to bucket 0 of a
     * one-bucket grid (a breakdown or a period's total) and follow each other without a hole, so every row between
     * its first and last unit is one of them.
     */
    private static boolean summable(List<Target> targets, List<TimeGrid.Plan> plans, List<List<Instant>> spanOf, Map<Long, ZoneId> zones, char grain) {
        for (int i = 0; i < targets.size(); i++) {
            List<Instant> span = spanOf.get(i);
            if (span == null) {
                continue;
            }
            if (targets.get(i).grid().buckets().size() > 1) {
                return false;
            }
            ZoneId zone = zones.get(targets.get(i).organizationId());
            long between = switch (grain) {
                case 'D' -> ChronoUnit.DAYS.between(LocalDate.ofInstant(span.get(0), zone), LocalDate.ofInstant(span.get(1), zone));
                case 'H' -> Duration.between(span.get(0), span.get(1)).toHours();
                default -> Duration.between(span.get(0), span.get(1)).toMinutes() / 15;
            };
            if (between + 1 != plans.get(i).units().get(grain).size()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The events of the plans' raw stretches that {@code counted} accepts; {@code targetsOf}: each organization's targets
     * (indexes into {@code plans}).
     */
    private void readEvents(Connection connection, List<Target> targets, List<TimeGrid.Plan> plans, Map<Long, List<Integer>> targetsOf, Dimension dimension,
                            UsageRoller.Progress progress, RowSink sink, Predicate<EventReader.Event> counted) throws SQLException {
        // Per organization, adjacent stretches of neighbouring buckets are one range of the (organization_id, occurred_at) index.
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
                    if (!counted.test(event)) {
                        continue;
                    }
                    for (int target : targetsOf.getOrDefault(event.organizationId(), List.of())) {
                        List<TimeGrid.Window> windows = plans.get(target).raw();
                        int found = Collections.binarySearch(windows, new TimeGrid.Window(event.occurredAt(), event.occurredAt(), -1),
                                Comparator.comparing(TimeGrid.Window::start));
                        int at = found >= 0 ? found : -found - 2;
                        if (at >= 0 && event.occurredAt().isBefore(windows.get(at).end())) {
                            sink.add(target, windows.get(at).bucket(), event.values().get(dimension), event.totals());
                        }
                    }
                }
            }
        }
    }

    /** A {@code usage_rollup} row's measures, or a {@code usage_session} row's (which keeps no characters, minutes or images). */
    private static Totals totals(ResultSet rows, boolean units) throws SQLException {
        Totals totals = new Totals();
        totals.requests = rows.getLong("requests");
        totals.errorRequests = rows.getLong("error_requests");
        totals.tokens = rows.getBigDecimal("tokens");
        totals.inputTokens = rows.getBigDecimal("input_tokens");
        totals.outputTokens = rows.getBigDecimal("output_tokens");
        if (units) {
            totals.characters = rows.getBigDecimal("characters");
            totals.minutes = rows.getBigDecimal("minutes");
            totals.images = rows.getBigDecimal("images");
        }
        String currency = rows.getString("currency");
        String billingCurrency = rows.getString("billing_currency");
        totals.addCost(currency, rows.getBigDecimal("cost"));
        totals.addBillingCost(billingCurrency, rows.getBigDecimal("billing_cost"));
        // A priced row without a billing currency holds the calls still waiting for an exchange rate.
        totals.unconvertedRequests = !currency.isEmpty() && billingCurrency.isEmpty() ? totals.requests : 0;
        totals.durationMs = rows.getLong("duration_ms");
        return totals;
    }

    /**
     * Groups by descending billing cost as summed (exact while the range has one billing currency; AnalyticsGraphQL ranks
     * by the figure in the current one), then tokens, calls and key.
     */
    private static List<Group> sorted(Map<String, Totals> groups) {
        return groups.entrySet().stream().map(entry -> new Group(entry.getKey(), entry.getValue()))
                .sorted(Comparator.comparing((Group group) -> group.totals().billingCost().values().stream().reduce(BigDecimal.ZERO, BigDecimal::add)).reversed()
                        .thenComparing(group -> group.totals().tokens(), Comparator.reverseOrder())
                        .thenComparing(group -> group.totals().requests(), Comparator.reverseOrder())
                        .thenComparing(Group::key))
                .toList();
    }
}
