package io.meterline.platform.analytics;

import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.Upsert;
import io.meterline.platform.usage.RepriceListener;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds committed usage events into {@code usage_rollup} (see V10, V15, V17), after the fact and exactly once:
 * one transaction locks the progress row, reads the events after {@code last_event_id}, adds them to
 * every grain and dimension, and moves the mark, so a crash repeats nothing and loses nothing.
 * <p>
 * Ids are taken before commit, so a later id can commit first. Ids passed but not seen are kept as
 * gaps and looked up again on every roll; a gap still empty after {@link #GAP_PATIENCE} belonged to a
 * rolled-back batch (an ingestion transaction lasts seconds) and is dropped.
 * <p>
 * An event priced later, or converted into its billing currency later (held until a rate covered its day), is
 * taken out of the rollups with its old figures and put back with its new ones in the repricing or conversion
 * transaction, when it was already rolled up; otherwise a later roll reads it priced and converted. Rows are
 * keyed by the billing currency too ('' while unconverted), so a conversion moves the event into its
 * currency's row and the billing sums count it exactly once.
 */
@Singleton
public class UsageRoller implements RepriceListener {

    static final int BATCH = 20_000;
    static final Duration GAP_PATIENCE = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(UsageRoller.class);
    private static final String[] MEASURES = {"requests", "error_requests", "tokens", "input_tokens", "output_tokens", "characters", "minutes", "images",
            "cost", "billing_cost", "duration_ms"};
    private static final Upsert ROLLUP = Upsert.into("usage_rollup", Stream.concat(Stream.of("organization_id", "dimension", "grain", "bucket_start",
            "dimension_value", "currency", "billing_currency"), Stream.of(MEASURES)).toArray(String[]::new)).add(MEASURES).build();
    private static final Upsert SESSION = Upsert.into("usage_session", "organization_id", "session_key", "currency", "billing_currency",
                    "first_at", "last_at", "requests", "error_requests", "tokens", "input_tokens", "output_tokens", "cost", "billing_cost", "duration_ms")
            .least("first_at").greatest("last_at")
            .add("requests", "error_requests", "tokens", "input_tokens", "output_tokens", "cost", "billing_cost", "duration_ms").build();

    private final TransactionOperations<Connection> transactions;
    private final EventReader events;
    private final Clock clock;
    private final boolean scheduled;
    /** How long a read of the roll's mark serves later reads (nanoseconds): {@code meterline.analytics.mark-ttl}. */
    private final long markTtl;
    /** Organizations' zones: fixed when an organization is created, so read once. */
    private final Map<Long, ZoneId> zones = new ConcurrentHashMap<>();
    /** Rolls this instance has committed: a mark read before the latest of them is not served again. */
    private final AtomicLong rolls = new AtomicLong();
    private volatile Mark mark;

    UsageRoller(TransactionOperations<Connection> transactions, EventReader events, Clock clock,
                RollerConfiguration configuration) {
        this.transactions = transactions;
        this.events = events;
        this.clock = clock;
        this.scheduled = configuration.scheduledRoll();
        this.markTtl = configuration.markTtl().toNanos();
    }

    /** A read of the roll's mark, after {@code rolls} rolls of this instance, at {@code readAt} ({@link System#nanoTime()}). */
    private record Mark(Progress progress, long rolls, long readAt) {
    }

    /** A rollup row's key: {@code billingCurrency} is '' for events without a billing figure (unpriced or unconverted). */
    private record Key(long organizationId, Dimension dimension, char grain, Instant bucketStart, String value, String currency, String billingCurrency) {
    }

    /** A session's key and the currencies of its cost. */
    private record SessionKey(long organizationId, String session, String currency, String billingCurrency) {
    }

    /** A session's share of one roll: its first and last call and their totals. */
    private static final class SessionPart {
        Instant first;
        Instant last;
        final Totals totals = new Totals();
    }

    /** What one roll adds. */
    private static final class Roll {
        final Map<Key, Totals> rollup = new HashMap<>();
        final Map<SessionKey, SessionPart> sessions = new HashMap<>();
    }

    /** A gap: ids first..last not seen yet, since {@code seenAt}. */
    record Gap(long first, long last, Instant seenAt) {
    }

    /**
     * What the rollups hold: every event up to {@code lastEventId} but those in the gaps.
     *
     * @param rolledAt when the last roll ran
     */
    record Progress(long lastEventId, List<Gap> gaps, Instant rolledAt) {
    }

    @Scheduled(fixedDelay = "${meterline.analytics.roll-interval:5s}", initialDelay = "${meterline.analytics.roll-interval:5s}")
    void scheduledRoll() {
        if (!scheduled) {
            return;
        }
        try {
            rollAll();
        }
        catch (RuntimeException e) {
            LOG.error("Rolling usage up failed; the next roll retries", e);
        }
    }

    /** Rolls until every committed event is in; answers how many events were folded in. */
    public int rollAll() {
        int total = 0;
        int rolled;
        do {
            rolled = roll();
            total += rolled;
        }
        while (rolled >= BATCH);
        return total;
    }

    /** One roll of at most {@link #BATCH} new events plus the gaps' late arrivals. */
    int roll() {
        try {
            return rollOnce();
        }
        finally {
            rolls.incrementAndGet();
        }
    }

    private int rollOnce() {
        return transactions.executeWrite(status -> {
            Connection connection = status.getConnection();
            Instant now = clock.instant();
            long last = lockProgress(connection);
            List<Gap> gaps = gaps(connection);
            Roll rollup = new Roll();
            List<Long> lateIds = new ArrayList<>();
            if (!gaps.isEmpty()) {
                // Every gap's late arrivals in one statement.
                try (PreparedStatement statement = connection.prepareStatement("SELECT " + EventReader.COLUMNS + " FROM usage_event WHERE "
                        + String.join(" OR ", Collections.nCopies(gaps.size(), "id BETWEEN ? AND ?")))) {
                    int column = 1;
                    for (Gap gap : gaps) {
                        statement.setLong(column++, gap.first());
                        statement.setLong(column++, gap.last());
                    }
                    foldAll(connection, statement, rollup, lateIds);
                }
            }
            List<Long> newIds = new ArrayList<>();
            read(connection, "SELECT " + EventReader.COLUMNS + " FROM usage_event WHERE id > ? ORDER BY id LIMIT " + BATCH, last, null, rollup, newIds);
            write(connection, rollup.rollup);
            writeSessions(connection, rollup.sessions);

            List<Gap> open = new ArrayList<>();
            for (Gap gap : gaps) {
                if (gap.seenAt().plus(GAP_PATIENCE).isAfter(now)) {
                    open.addAll(missing(gap.first(), gap.last(), lateIds, gap.seenAt()));
                }
            }
            long next = newIds.isEmpty() ? last : newIds.get(newIds.size() - 1);
            open.addAll(missing(last + 1, next, newIds, now));
            saveGaps(connection, gaps, open);
            try (PreparedStatement statement = connection.prepareStatement("UPDATE usage_rollup_progress SET last_event_id = ?, rolled_at = ? WHERE id = 1")) {
                statement.setLong(1, next);
                statement.setTimestamp(2, Timestamp.valueOf(TimeBuckets.toColumn(now)));
                statement.executeUpdate();
            }
            return newIds.size() + lateIds.size();
        });
    }

    @Override
    public void beforeReprice(Connection connection, long eventRowId) throws SQLException {
        refold(connection, eventRowId, true);
    }

    @Override
    public void afterReprice(Connection connection, long eventRowId) throws SQLException {
        refold(connection, eventRowId, false);
    }

    /** Takes an already rolled-up event out of (or back into) the rollups; the progress lock keeps a roll from passing meanwhile. */
    private void refold(Connection connection, long eventRowId, boolean out) throws SQLException {
        long last = lockProgress(connection);
        if (eventRowId > last || gaps(connection).stream().anyMatch(gap -> gap.first() <= eventRowId && eventRowId <= gap.last())) {
            return;
        }
        Roll roll = new Roll();
        read(connection, "SELECT " + EventReader.COLUMNS + " FROM usage_event WHERE id BETWEEN ? AND ?", eventRowId, eventRowId, roll, new ArrayList<>());
        if (out) {
            roll.rollup.values().forEach(Totals::negate);
            roll.sessions.values().forEach(part -> part.totals.negate());
        }
        write(connection, roll.rollup);
        writeSessions(connection, roll.sessions);
    }

    /** Locks the progress row (one roll or repricing at a time) and reads the last id rolled up. */
    private static long lockProgress(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT last_event_id FROM usage_rollup_progress WHERE id = 1 FOR UPDATE");
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Where the rollups stand. A read serves this instance's later reads for {@code mark-ttl} (a polled dashboard's
     * page is then one round trip, not two) unless this instance rolls meanwhile; another instance's roll shows
     * within that time. An older mark only makes an answer's events part older: what the rollups hold past it is
     * read from the rollups, never from the events too.
     */
    Progress progress(Connection connection) throws SQLException {
        Mark last = mark;
        long now = System.nanoTime();
        long rolled = rolls.get();
        if (last != null && last.rolls() == rolled && now - last.readAt() < markTtl) {
            return last.progress();
        }
        Progress progress = readProgress(connection);
        mark = new Mark(progress, rolled, now);
        return progress;
    }

    /** Where the rollups stand, as of the caller's transaction. */
    private static Progress readProgress(Connection connection) throws SQLException {
        // One statement, so the mark and its gaps are of the same roll without a transaction.
        try (PreparedStatement statement = connection.prepareStatement("SELECT p.last_event_id, p.rolled_at, g.first_id, g.last_id, g.seen_at"
                + " FROM usage_rollup_progress p LEFT JOIN usage_rollup_gap g ON 1 = 1 WHERE p.id = 1 ORDER BY g.first_id");
             ResultSet rows = statement.executeQuery()) {
            List<Gap> gaps = new ArrayList<>();
            long last = 0;
            Instant rolledAt = Instant.EPOCH;
            while (rows.next()) {
                last = rows.getLong(1);
                rolledAt = TimeBuckets.fromColumn(rows.getTimestamp(2).toLocalDateTime());
                long first = rows.getLong(3);
                if (!rows.wasNull()) {
                    gaps.add(new Gap(first, rows.getLong(4), TimeBuckets.fromColumn(rows.getTimestamp(5).toLocalDateTime())));
                }
            }
            return new Progress(last, gaps, rolledAt);
        }
    }

    /** The zone whose days the 'D' grain holds for an organization: its own, fixed at its creation. */
    ZoneId zoneOf(Connection connection, long organizationId) throws SQLException {
        return zonesOf(connection, List.of(organizationId)).get(organizationId);
    }

    /** The zones of many organizations: those not known yet are read in one statement. */
    Map<Long, ZoneId> zonesOf(Connection connection, List<Long> organizationIds) throws SQLException {
        List<Long> unknown = organizationIds.stream().distinct().filter(id -> !zones.containsKey(id)).toList();
        if (!unknown.isEmpty()) {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, time_zone FROM organization WHERE id IN ("
                    + Placeholders.in(unknown.size()) + ")")) {
                Placeholders.bind(statement, 1, unknown);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        zones.put(rows.getLong(1), ZoneId.of(rows.getString(2)));
                    }
                }
            }
            unknown.forEach(id -> zones.putIfAbsent(id, ZoneOffset.UTC));
        }
        Map<Long, ZoneId> found = new HashMap<>();
        organizationIds.forEach(id -> found.put(id, zones.get(id)));
        return found;
    }

    private void read(Connection connection, String sql, long from, Long to, Roll rollup, List<Long> ids) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, from);
            if (to != null) {
                statement.setLong(2, to);
            }
            foldAll(connection, statement, rollup, ids);
        }
    }

    /** Folds every event the statement reads, noting their ids. */
    private void foldAll(Connection connection, PreparedStatement statement, Roll rollup, List<Long> ids) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong("id"));
                fold(connection, rows, rollup);
            }
        }
    }

    /**
     * Adds one event to every grain of every dimension it has: the organization's local day, and for the total the UTC
     * hour and quarter, and the local hour ('L') where the zone's offset is not whole hours (there UTC hours are not local ones).
     */
    private void fold(Connection connection, ResultSet row, Roll roll) throws SQLException {
        EventReader.Event event = events.read(row);
        long organizationId = event.organizationId();
        Instant occurred = event.occurredAt();
        String currency = event.currency();
        String billingCurrency = event.billingCurrency();
        if (event.session() != null) {
            SessionPart part = roll.sessions.computeIfAbsent(new SessionKey(organizationId, event.session(), currency, billingCurrency), key -> new SessionPart());
            part.first = part.first == null || occurred.isBefore(part.first) ? occurred : part.first;
            part.last = part.last == null || occurred.isAfter(part.last) ? occurred : part.last;
            part.totals.add(event.totals());
        }
        ZoneId zone = zoneOf(connection, organizationId);
        Instant day = TimeGrid.dayStart(occurred, zone);
        Instant hour = occurred.truncatedTo(ChronoUnit.HOURS);
        Instant quarter = TimeBuckets.bucketOf(occurred);
        Instant localHour = TimeGrid.localHourStart(occurred, zone);
        event.values().forEach((dimension, value) -> {
            String grains = dimension.grains();
            for (int i = 0; i < grains.length(); i++) {
                char grain = grains.charAt(i);
                Instant start = grain == 'D' ? day : grain == 'H' ? hour : quarter;
                roll.rollup.computeIfAbsent(new Key(organizationId, dimension, grain, start, value, currency, billingCurrency), key -> new Totals()).add(event.totals());
            }
        });
        if (localHour != null) {
            roll.rollup.computeIfAbsent(new Key(organizationId, Dimension.ALL, 'L', localHour, "", currency, billingCurrency), key -> new Totals()).add(event.totals());
        }
    }

    private static void write(Connection connection, Map<Key, Totals> rollup) throws SQLException {
        if (rollup.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(ROLLUP.sql(connection))) {
            for (Map.Entry<Key, Totals> entry : rollup.entrySet()) {
                Key key = entry.getKey();
                Totals totals = entry.getValue();
                statement.setLong(1, key.organizationId());
                statement.setString(2, key.dimension().name());
                statement.setString(3, String.valueOf(key.grain()));
                statement.setTimestamp(4, Timestamp.valueOf(TimeBuckets.toColumn(key.bucketStart())));
                statement.setString(5, key.value());
                statement.setString(6, key.currency());
                statement.setString(7, key.billingCurrency());
                statement.setLong(8, totals.requests);
                statement.setLong(9, totals.errorRequests);
                statement.setBigDecimal(10, totals.tokens);
                statement.setBigDecimal(11, totals.inputTokens);
                statement.setBigDecimal(12, totals.outputTokens);
                statement.setBigDecimal(13, totals.characters);
                statement.setBigDecimal(14, totals.minutes);
                statement.setBigDecimal(15, totals.images);
                statement.setBigDecimal(16, totals.cost.getOrDefault(key.currency(), BigDecimal.ZERO));
                statement.setBigDecimal(17, totals.billingCost.getOrDefault(key.billingCurrency(), BigDecimal.ZERO));
                statement.setLong(18, totals.durationMs);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void writeSessions(Connection connection, Map<SessionKey, SessionPart> sessions) throws SQLException {
        if (sessions.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(SESSION.sql(connection))) {
            for (Map.Entry<SessionKey, SessionPart> entry : sessions.entrySet()) {
                SessionKey key = entry.getKey();
                SessionPart part = entry.getValue();
                statement.setLong(1, key.organizationId());
                statement.setString(2, key.session());
                statement.setString(3, key.currency());
                statement.setString(4, key.billingCurrency());
                statement.setTimestamp(5, Timestamp.valueOf(TimeBuckets.toColumn(part.first)));
                statement.setTimestamp(6, Timestamp.valueOf(TimeBuckets.toColumn(part.last)));
                statement.setLong(7, part.totals.requests);
                statement.setLong(8, part.totals.errorRequests);
                statement.setBigDecimal(9, part.totals.tokens);
                statement.setBigDecimal(10, part.totals.inputTokens);
                statement.setBigDecimal(11, part.totals.outputTokens);
                statement.setBigDecimal(12, part.totals.cost.getOrDefault(key.currency(), BigDecimal.ZERO));
                statement.setBigDecimal(13, part.totals.billingCost.getOrDefault(key.billingCurrency(), BigDecimal.ZERO));
                statement.setLong(14, part.totals.durationMs);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    static List<Gap> gaps(Connection connection) throws SQLException {
        List<Gap> gaps = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT first_id, last_id, seen_at FROM usage_rollup_gap ORDER BY first_id");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                gaps.add(new Gap(rows.getLong(1), rows.getLong(2), TimeBuckets.fromColumn(rows.getTimestamp(3).toLocalDateTime())));
            }
        }
        return gaps;
    }

    /** The runs of ids in first..last that are not among {@code seen} (ascending within the range). */
    private static List<Gap> missing(long first, long last, List<Long> seen, Instant seenAt) {
        List<Gap> missing = new ArrayList<>();
        long next = first;
        for (long id : seen.stream().filter(id -> id >= first && id <= last).sorted().toList()) {
            if (id > next) {
                missing.add(new Gap(next, id - 1, seenAt));
            }
            next = id + 1;
        }
        if (next <= last) {
            missing.add(new Gap(next, last, seenAt));
        }
        return missing;
    }

    private static void saveGaps(Connection connection, List<Gap> before, List<Gap> after) throws SQLException {
        if (before.equals(after)) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM usage_rollup_gap")) {
            statement.executeUpdate();
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO usage_rollup_gap (first_id, last_id, seen_at) VALUES (?, ?, ?)")) {
            for (Gap gap : after) {
                statement.setLong(1, gap.first());
                statement.setLong(2, gap.last());
                statement.setTimestamp(3, Timestamp.valueOf(TimeBuckets.toColumn(gap.seenAt())));
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }
}
