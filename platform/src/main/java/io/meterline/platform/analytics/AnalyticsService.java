package io.meterline.platform.analytics;

import io.meterline.platform.analytics.AnalyticsJdbc.RowSink;
import io.meterline.platform.analytics.AnalyticsJdbc.Target;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.core.annotation.Nullable;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Series, breakdowns and totals read from {@code usage_rollup}: one statement per grain a page needs,
 * and one over the events for the stretches no kept grain covers (see {@link TimeGrid#plan}),
 * whatever the number of events or groups. The events part is {@link EventTotals}'s (which also answers
 * {@link EventTotals#matching}); chats and sessions are {@link UsageSessions}'s, the weekday-by-hour grid {@link HoursOfWeek}'s.
 */
@Singleton
public class AnalyticsService {

    private final ConnectionOperations<Connection> connections;
    private final UsageRoller roller;
    private final EventTotals events;

    AnalyticsService(ConnectionOperations<Connection> connections, UsageRoller roller, EventTotals events) {
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
     * Organizations with usage rolled up in the UTC hours from the one holding {@code since}: one
     * statement, one seek of the rollup's key per organization (its latest hour row; never a scan of the rollup or events).
     */
    public List<Long> organizationsActiveSince(Instant since) {
        return AnalyticsJdbc.withConnection(connections, connection -> {
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

    /** Everything an organization ever recorded (all its day rows; no zone matters). */
    public Totals lifetime(long organizationId) {
        return AnalyticsJdbc.withConnection(connections, connection -> {
            Totals all = new Totals();
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + ROW_COLUMNS
                    + " FROM usage_rollup WHERE organization_id = ? AND dimension = 'ALL' AND grain = 'D'")) {
                statement.setLong(1, organizationId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        all.add(AnalyticsJdbc.totals(rows, true));
                    }
                }
            }
            return all;
        });
    }

    /** When the figures were rolled up. */
    public Instant asOf() {
        return AnalyticsJdbc.withConnection(connections, connection -> roller.progress(connection).rolledAt());
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
        return AnalyticsJdbc.withConnection(connections, connection -> {
            UsageRoller.Progress progress = roller.progress(connection);
            Map<Long, ZoneId> zones = roller.zonesOf(connection, targets.stream().map(Target::organizationId).toList());
            List<TimeGrid.Plan> plans = new ArrayList<>();
            Map<Long, List<Integer>> targetsOf = new HashMap<>();
            for (int i = 0; i < targets.size(); i++) {
                plans.add(targets.get(i).grid().plan(dimension, zones.get(targets.get(i).organizationId())));
                targetsOf.computeIfAbsent(targets.get(i).organizationId(), id -> new ArrayList<>()).add(i);
            }
            GrainRead read = new GrainRead(targets, plans, targetsOf, zones, dimension);
            for (char grain : dimension.grains().toCharArray()) {
                read.rows(connection, grain, sink);
            }
            if (plans.stream().anyMatch(plan -> !plan.raw().isEmpty())) {
                events.read(connection, targets, plans, targetsOf, dimension, progress, sink, event -> true);
            }
            return progress.rolledAt();
        });
    }

    /** The rollup rows of a read's targets, one grain at a time; {@code targetsOf}: each organization's targets (indexes into {@code plans}). */
    private record GrainRead(List<Target> targets, List<TimeGrid.Plan> plans, Map<Long, List<Integer>> targetsOf, Map<Long, ZoneId> zones, Dimension dimension) {

        /** One statement for the grain's units of every target (none when no target needs the grain). */
        void rows(Connection connection, char grain, RowSink sink) throws SQLException {
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
                return;
            }
            // Where every target's rows between its first and last unit all fall in its one bucket, the database adds them up,
            // one part per range (parts may overlap: a month inside its year).
            boolean summed = summable(targets, plans, spanOf, zones, grain);
            List<List<Instant>> partSpans = new ArrayList<>(ranges.keySet());
            try (PreparedStatement statement = connection.prepareStatement(sql(ranges.values(), summed))) {
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
                        add(rows, grain, summed ? partSpans.get(rows.getInt("part")) : null, spanOf, sink);
                    }
                }
            }
        }

        /** A row into the bucket of every target of its organization that holds it: a summed row ({@code partSpan} not null) into bucket 0 of the targets whose units span its part's range. */
        private void add(ResultSet rows, char grain, @Nullable List<Instant> partSpan, List<List<Instant>> spanOf, RowSink sink) throws SQLException {
            Instant start = partSpan != null ? null : TimeBuckets.fromColumn(rows.getTimestamp("bucket_start").toLocalDateTime());
            Totals row = null;
            for (int target : targetsOf.getOrDefault(rows.getLong("organization_id"), List.of())) {
                Integer index = partSpan != null ? (partSpan.equals(spanOf.get(target)) ? 0 : null) : plans.get(target).units().get(grain).get(start);
                if (index != null) {
                    row = row == null ? AnalyticsJdbc.totals(rows, true) : row;
                    sink.add(target, index, rows.getString("dimension_value"), row);
                }
            }
        }

        /** The statement of a grain: its rows by range, or (summed) their sums per range, organization and value. */
        private static String sql(Collection<List<Long>> ranges, boolean summed) {
            String part = "dimension = ? AND grain = ? AND organization_id IN (%s) AND bucket_start BETWEEN ? AND ?";
            List<String> parts = ranges.stream().map(ids -> String.format(part, String.join(", ", Collections.nCopies(ids.size(), "?")))).toList();
            return summed
                    ? IntStream.range(0, parts.size()).mapToObj(i -> "SELECT " + i + " AS part, organization_id, dimension_value, currency, billing_currency, " + SUMS
                            + " FROM usage_rollup WHERE " + parts.get(i) + " GROUP BY organization_id, dimension_value, currency, billing_currency")
                            .collect(Collectors.joining(" UNION ALL "))
                    : "SELECT organization_id, " + ROW_COLUMNS + " FROM usage_rollup WHERE "
                            + parts.stream().map(where -> "(" + where + ")").collect(Collectors.joining(" OR "));
        }
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
