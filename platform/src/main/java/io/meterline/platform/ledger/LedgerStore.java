package io.meterline.platform.ledger;

import static io.meterline.platform.common.jdbc.TimeColumns.fromColumn;
import static io.meterline.platform.common.jdbc.TimeColumns.toColumn;

import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.common.jdbc.Upsert;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plain JDBC for balances, shared by the ingestion transaction and admin operations: every change
 * locks the organization's {@code ledger_balance} row, rolls the plan period over if a reset day
 * passed, inserts its entries in one batch and moves the running totals by exactly their amounts.
 */
@Singleton
class LedgerStore {

    private static final String ENTRY_COLUMNS = "id, organization_id, kind, account_kind, amount, currency, service, tokens, images, description,"
            + " reason, created_by, event_count, usage_event_id, last_usage_event_id, allowance_period, usage_day, created_at";
    private static final String PLAN_COLUMNS = "id, name, monthly_price, currency, monthly_tokens, reset_day, active, free_baseline, created_at, stripe_price_id, visible";
    private static final Upsert ENTRY = Upsert.into("ledger_entry", "organization_id", "kind", "account_kind", "amount", "currency", "service",
                    "tokens", "images", "description", "reason", "created_by", "event_count", "usage_event_id", "last_usage_event_id", "allowance_period",
                    "usage_day", "usage_key", "created_at")
            .add("amount", "tokens", "images", "event_count").replace("last_usage_event_id").greatest("created_at").build();

    /** What balances need to know about an organization. */
    record OrganizationInfo(long id, ZoneId zone, String billingCurrency) {
    }

    /**
     * The running totals of one organization, locked for this transaction.
     *
     * @param credits the CREDITS balance in the billing currency
     * @param lowCrossings how many times usage took credits below the threshold: the alert dedupe sequence
     * @param renewedByInvoice whether the paid invoices of a Stripe subscription renew the plan tokens
     *                         ({@link LedgerService#renewPlanAllowance}) rather than the plan's reset day
     */
    record State(long organizationId, @Nullable Long planId, BigDecimal lowThreshold, BigDecimal credits, long planTokens, long topupTokens,
                 @Nullable LocalDate periodStart, long lowCrossings, boolean renewedByInvoice) {

        /**
         * The state after an entry. Credits are kept in the billing currency; an entry in another one (usage of a day billed
         * in a former billing currency) is not part of the balance: the balance lists it apart (otherCurrencyCharges).
         */
        State plus(LedgerEntry entry, String billingCurrency) {
            return switch (entry.account()) {
                case CREDITS -> billingCurrency.equals(entry.currencyCode())
                        ? new State(organizationId, planId, lowThreshold, credits.add(entry.amount()), planTokens, topupTokens, periodStart, lowCrossings, renewedByInvoice)
                        : this;
                case PLAN_TOKENS -> new State(organizationId, planId, lowThreshold, credits, planTokens + entry.amount().longValueExact(), topupTokens, periodStart, lowCrossings, renewedByInvoice);
                case TOPUP_TOKENS -> new State(organizationId, planId, lowThreshold, credits, planTokens, topupTokens + entry.amount().longValueExact(), periodStart, lowCrossings, renewedByInvoice);
            };
        }

        State withPlan(@Nullable Long newPlanId, LocalDate newPeriodStart) {
            return withPlan(newPlanId, newPeriodStart, renewedByInvoice);
        }

        State withPlan(@Nullable Long newPlanId, LocalDate newPeriodStart, boolean newRenewedByInvoice) {
            return new State(organizationId, newPlanId, lowThreshold, credits, planTokens, topupTokens, newPeriodStart, lowCrossings, newRenewedByInvoice);
        }

        /** Whether the plan period has to roll over now: a reset day passed, unless paid invoices renew the plan. */
        boolean rollsOver(LocalDate calendarPeriodStart) {
            return !renewedByInvoice && !calendarPeriodStart.equals(periodStart);
        }

        State withThreshold(BigDecimal threshold) {
            return new State(organizationId, planId, threshold, credits, planTokens, topupTokens, periodStart, lowCrossings, renewedByInvoice);
        }

        State withCrossing() {
            return new State(organizationId, planId, lowThreshold, credits, planTokens, topupTokens, periodStart, lowCrossings + 1, renewedByInvoice);
        }
    }

    /** A locked state with its plan, in the current period. */
    record Locked(OrganizationInfo organization, State state, Plan plan) {
    }

    static final BigDecimal DEFAULT_THRESHOLD = new BigDecimal("1.00");

    @Nullable
    OrganizationInfo organization(Connection connection, long organizationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT time_zone, billing_currency FROM organization WHERE id = ?")) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? new OrganizationInfo(organizationId, ZoneId.of(rows.getString(1)), rows.getString(2)) : null;
            }
        }
    }

    /**
     * Locks the organization's totals and posts the plan rollover when a reset day passed since the
     * last operation: PLAN_EXPIRY of what is left and PLAN_ALLOWANCE of the new period. The lock
     * makes the rollover happen once; the unique (organization, allowance_period) key backs it.
     */
    Locked lock(Connection connection, OrganizationInfo organization, Instant now) throws SQLException {
        State state = select(connection, organization.id());
        if (state == null) {
            // INSERT IGNORE: two first operations of a new organization may race; one row wins.
            try (PreparedStatement insert = connection.prepareStatement("INSERT IGNORE INTO ledger_balance (organization_id, plan_id, low_threshold, credits,"
                    + " plan_tokens, topup_tokens, period_start, low_crossings, updated_at) VALUES (?, NULL, ?, 0, 0, 0, NULL, 0, ?)")) {
                insert.setLong(1, organization.id());
                insert.setBigDecimal(2, DEFAULT_THRESHOLD);
                insert.setObject(3, toColumn(now));
                insert.executeUpdate();
            }
            state = select(connection, organization.id());
        }
        Plan plan = plan(connection, state.planId());
        LocalDate periodStart = plan.periodStart(now, organization.zone());
        if (state.rollsOver(periodStart)) {
            List<LedgerEntry> entries = new ArrayList<>();
            if (state.planTokens() != 0) {
                entries.add(LedgerEntry.automatic(organization.id(), LedgerEntryKind.PLAN_EXPIRY, LedgerAccount.PLAN_TOKENS, BigDecimal.valueOf(-state.planTokens()),
                        state.planTokens(), "Plan tokens left at the end of the period expired", null, now));
            }
            entries.add(LedgerEntry.automatic(organization.id(), LedgerEntryKind.PLAN_ALLOWANCE, LedgerAccount.PLAN_TOKENS, BigDecimal.valueOf(plan.monthlyTokens()),
                    plan.monthlyTokens(), plan.name() + " plan allowance from " + periodStart, periodStart, now));
            state = post(connection, organization, state.withPlan(state.planId(), periodStart), entries, now);
        }
        return new Locked(organization, state, plan);
    }

    /**
     * The totals without a lock, for reads: null when they do not exist yet or a reset day passed,
     * and the caller must {@link #lock} to roll the period over.
     */
    @Nullable
    Locked current(Connection connection, OrganizationInfo organization, Instant now) throws SQLException {
        State state = select(connection, organization.id(), false);
        if (state == null) {
            return null;
        }
        Plan plan = plan(connection, state.planId());
        return state.rollsOver(plan.periodStart(now, organization.zone())) ? null : new Locked(organization, state, plan);
    }

    @Nullable
    private static State select(Connection connection, long organizationId) throws SQLException {
        return select(connection, organizationId, true);
    }

    @Nullable
    private static State select(Connection connection, long organizationId, boolean forUpdate) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT plan_id, low_threshold, credits, plan_tokens, topup_tokens, period_start, low_crossings,"
                + " renewed_by_invoice FROM ledger_balance WHERE organization_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                long planId = rows.getLong(1);
                Long plan = rows.wasNull() ? null : planId;
                return new State(organizationId, plan, rows.getBigDecimal(2), rows.getBigDecimal(3), rows.getLong(4), rows.getLong(5),
                        rows.getObject(6, LocalDate.class), rows.getLong(7), rows.getBoolean(8));
            }
        }
    }

    /** A plan by id, or the free baseline for null. */
    Plan plan(Connection connection, @Nullable Long planId) throws SQLException {
        String sql = "SELECT " + PLAN_COLUMNS + " FROM plan WHERE " + (planId == null ? "free_baseline = TRUE ORDER BY id LIMIT 1" : "id = ?");
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (planId != null) {
                statement.setLong(1, planId);
            }
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("plan " + planId + " is missing");
                }
                return new Plan(rows.getLong(1), rows.getString(2), rows.getBigDecimal(3), rows.getString(4), rows.getLong(5), rows.getInt(6),
                        rows.getBoolean(7), rows.getBoolean(8), fromColumn(rows.getObject(9, LocalDateTime.class)), rows.getString(10), rows.getBoolean(11));
            }
        }
    }

    /**
     * Records that the entries of an outside object (a Stripe Checkout Session, invoice or refund
     * total) are being posted, in the caller's transaction: false when they were already, so a
     * replayed event posts nothing. A concurrent claim of the same key waits on the primary key and
     * then finds it taken.
     */
    boolean claimSource(Connection connection, long organizationId, String sourceKey, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT IGNORE INTO ledger_entry_source (source_key, organization_id, created_at)"
                + " VALUES (?, ?, ?)")) {
            statement.setString(1, sourceKey);
            statement.setLong(2, organizationId);
            statement.setObject(3, toColumn(now));
            return statement.executeUpdate() == 1;
        }
    }

    /** Inserts entries in one batch and stores the state moved by exactly their amounts. */
    State post(Connection connection, OrganizationInfo organization, State state, List<LedgerEntry> entries, Instant now) throws SQLException {
        State after = state;
        if (!entries.isEmpty()) {
            insert(connection, entries);
            for (LedgerEntry entry : entries) {
                after = after.plus(entry, organization.billingCurrency());
            }
        }
        update(connection, after, now);
        return after;
    }

    /**
     * Inserts entries (one JDBC batch, which MariaDB sends in its bulk protocol when no keys are asked
     * for); a usage entry whose day already has one (same account, service and currency) is added into
     * it instead. Callers hold the organization's balance lock, so two batches never add into one day's
     * entry at once; the unique usage key backs that.
     */
    void insert(Connection connection, List<LedgerEntry> entries) throws SQLException {
        insert(connection, entries, false);
    }

    /** Inserts one admin entry and returns its id. */
    long insertReturningId(Connection connection, LedgerEntry entry) throws SQLException {
        return insert(connection, List.of(entry), true).get(0);
    }

    private List<Long> insert(Connection connection, List<LedgerEntry> entries, boolean returnIds) throws SQLException {
        String sql = ENTRY.sql(connection);
        List<Long> ids = new ArrayList<>(entries.size());
        try (PreparedStatement statement = returnIds ? connection.prepareStatement(sql, PreparedStatement.RETURN_GENERATED_KEYS) : connection.prepareStatement(sql)) {
            for (LedgerEntry entry : entries) {
                int column = 1;
                statement.setLong(column++, entry.organizationId());
                statement.setString(column++, entry.kind().name());
                statement.setString(column++, entry.account().name());
                statement.setBigDecimal(column++, entry.amount());
                statement.setString(column++, entry.currencyCode());
                statement.setString(column++, entry.service());
                statement.setLong(column++, entry.tokens());
                statement.setLong(column++, entry.images());
                statement.setString(column++, entry.description());
                statement.setString(column++, entry.reason());
                statement.setString(column++, entry.createdBy());
                statement.setLong(column++, entry.eventCount());
                statement.setString(column++, entry.usageEventId());
                statement.setString(column++, entry.lastUsageEventId());
                setDate(statement, column++, entry.allowancePeriod());
                setDate(statement, column++, entry.usageDay());
                statement.setString(column++, entry.usageKey());
                statement.setObject(column, toColumn(entry.createdAt()));
                statement.addBatch();
            }
            statement.executeBatch();
            if (!returnIds) {
                return ids;
            }
            try (ResultSet keys = statement.getGeneratedKeys()) {
                while (keys.next()) {
                    ids.add(keys.getLong(1));
                }
            }
        }
        return ids;
    }

    private static void setDate(PreparedStatement statement, int column, @Nullable LocalDate day) throws SQLException {
        if (day == null) {
            statement.setNull(column, Types.DATE);
        }
        else {
            statement.setObject(column, day);
        }
    }

    void update(Connection connection, State state, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE ledger_balance SET plan_id = ?, low_threshold = ?, credits = ?, plan_tokens = ?,"
                + " topup_tokens = ?, period_start = ?, low_crossings = ?, renewed_by_invoice = ?, updated_at = ? WHERE organization_id = ?")) {
            if (state.planId() == null) {
                statement.setNull(1, Types.BIGINT);
            }
            else {
                statement.setLong(1, state.planId());
            }
            statement.setBigDecimal(2, state.lowThreshold());
            statement.setBigDecimal(3, state.credits());
            statement.setLong(4, state.planTokens());
            statement.setLong(5, state.topupTokens());
            statement.setObject(6, state.periodStart());
            statement.setLong(7, state.lowCrossings());
            statement.setBoolean(8, state.renewedByInvoice());
            statement.setObject(9, toColumn(now));
            statement.setLong(10, state.organizationId());
            statement.executeUpdate();
        }
    }

    /**
     * A line of an event whose charge to CREDITS waits for the event's figure in the billing currency
     * (the event is unpriced, or priced but held unconverted): the share of the line's amount still to
     * charge, {@code uncovered / quantity}. For a token line, the tokens no plan or top-up tokens
     * covered at ingestion (they were drawn then) of its quantity; for any other line 1 of 1, all of it.
     */
    record UnchargedLine(String eventId, String meter, long quantity, long uncovered) {

        /** The whole line. */
        static UnchargedLine whole(String eventId, String meter) {
            return new UnchargedLine(eventId, meter, 1, 1);
        }
    }

    /** Remembers lines whose charge waits (ledger_uncharged_line). */
    void insertUncharged(Connection connection, long organizationId, List<UnchargedLine> lines) throws SQLException {
        if (lines.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO ledger_uncharged_line (organization_id, event_id, meter, quantity, uncovered)"
                + " VALUES (?, ?, ?, ?, ?)")) {
            for (UnchargedLine line : lines) {
                statement.setLong(1, organizationId);
                statement.setString(2, line.eventId());
                statement.setString(3, line.meter());
                statement.setLong(4, line.quantity());
                statement.setLong(5, line.uncovered());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** The remembered lines of some events, keyed by event id and meter; locked for this transaction. */
    Map<List<String>, UnchargedLine> uncharged(Connection connection, long organizationId, Collection<String> eventIds) throws SQLException {
        Map<List<String>, UnchargedLine> lines = new HashMap<>();
        List<String> ids = List.copyOf(eventIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            try (PreparedStatement statement = connection.prepareStatement("SELECT event_id, meter, quantity, uncovered FROM ledger_uncharged_line"
                    + " WHERE organization_id = ? AND event_id IN (" + Placeholders.in(chunk.size()) + ") FOR UPDATE")) {
                statement.setLong(1, organizationId);
                Placeholders.bind(statement, 2, chunk);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        UnchargedLine line = new UnchargedLine(rows.getString(1), rows.getString(2), rows.getLong(3), rows.getLong(4));
                        lines.put(List.of(line.eventId(), line.meter()), line);
                    }
                }
            }
        }
        return lines;
    }

    /** Forgets remembered lines once they were charged. */
    void deleteUncharged(Connection connection, long organizationId, Collection<UnchargedLine> lines) throws SQLException {
        if (lines.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM ledger_uncharged_line WHERE organization_id = ? AND event_id = ? AND meter = ?")) {
            for (UnchargedLine line : lines) {
                statement.setLong(1, organizationId);
                statement.setString(2, line.eventId());
                statement.setString(3, line.meter());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /**
     * Which entries a list shows: kinds (empty for all) and a time range of {@code created_at}.
     *
     * @param start the first instant, inclusive; null for no lower bound
     * @param end the instant after the last, exclusive; null for no upper bound
     */
    record EntryFilter(Set<LedgerEntryKind> kinds, @Nullable Instant start, @Nullable Instant end) {
    }

    /**
     * A page of entries, newest first like a statement: by date ({@code created_at}; usage entries are
     * dated by the latest usage they cover, so a late event of an earlier day sorts with that day), then
     * by id, after the position {@code before} (null: from the newest).
     */
    List<LedgerEntry> page(Connection connection, long organizationId, @Nullable Position before, EntryFilter filter, int limit) throws SQLException {
        String sql = "SELECT " + ENTRY_COLUMNS + " FROM ledger_entry WHERE organization_id = ?"
                + (before == null ? "" : " AND (created_at < ? OR (created_at = ? AND id < ?))") + where(filter)
                + " ORDER BY created_at DESC, id DESC LIMIT " + limit;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int column = 1;
            statement.setLong(column++, organizationId);
            if (before != null) {
                LocalDateTime at = toColumn(before.createdAt());
                statement.setObject(column++, at);
                statement.setObject(column++, at);
                statement.setLong(column++, before.id());
            }
            bind(statement, column, filter);
            List<LedgerEntry> entries = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    entries.add(entry(rows));
                }
            }
            return entries;
        }
    }

    long count(Connection connection, long organizationId, EntryFilter filter) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM ledger_entry WHERE organization_id = ?" + where(filter))) {
            statement.setLong(1, organizationId);
            bind(statement, 2, filter);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    @Nullable
    LedgerEntry entry(Connection connection, long id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + ENTRY_COLUMNS + " FROM ledger_entry WHERE id = ?")) {
            statement.setLong(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? entry(rows) : null;
            }
        }
    }

    /**
     * CREDITS sums per kind and currency, the same sums of the positive entries only, and the latest
     * entry time. A REFUND is positive when credits are given back for usage and negative when a card
     * payment is refunded (the money leaves the balance): only the first lowers the credits used.
     */
    record Totals(Map<String, Map<LedgerEntryKind, BigDecimal>> creditsByCurrency, Map<String, Map<LedgerEntryKind, BigDecimal>> positiveByCurrency,
                  @Nullable Instant lastEntryAt) {

        BigDecimal sum(String currency, LedgerEntryKind kind) {
            return creditsByCurrency.getOrDefault(currency, Map.of()).getOrDefault(kind, BigDecimal.ZERO);
        }

        BigDecimal positiveSum(String currency, LedgerEntryKind kind) {
            return positiveByCurrency.getOrDefault(currency, Map.of()).getOrDefault(kind, BigDecimal.ZERO);
        }
    }

    Totals totals(Connection connection, long organizationId) throws SQLException {
        Map<String, Map<LedgerEntryKind, BigDecimal>> sums = new LinkedHashMap<>();
        Map<String, Map<LedgerEntryKind, BigDecimal>> positive = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT currency, kind, SUM(amount), SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END)"
                + " FROM ledger_entry WHERE organization_id = ? AND account_kind = 'CREDITS' GROUP BY currency, kind ORDER BY currency, kind")) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    LedgerEntryKind kind = LedgerEntryKind.valueOf(rows.getString(2));
                    sums.computeIfAbsent(rows.getString(1), currency -> new LinkedHashMap<>()).put(kind, rows.getBigDecimal(3));
                    positive.computeIfAbsent(rows.getString(1), currency -> new LinkedHashMap<>()).put(kind, rows.getBigDecimal(4));
                }
            }
        }
        Instant last = null;
        try (PreparedStatement statement = connection.prepareStatement("SELECT MAX(created_at) FROM ledger_entry WHERE organization_id = ?")) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    LocalDateTime value = rows.getObject(1, LocalDateTime.class);
                    last = value == null ? null : fromColumn(value);
                }
            }
        }
        return new Totals(sums, positive, last);
    }

    private static String where(EntryFilter filter) {
        return (filter.kinds().isEmpty() ? "" : " AND kind IN (" + Placeholders.in(filter.kinds()) + ")")
                + (filter.start() == null ? "" : " AND created_at >= ?") + (filter.end() == null ? "" : " AND created_at < ?");
    }

    private static void bind(PreparedStatement statement, int first, EntryFilter filter) throws SQLException {
        int column = first;
        for (LedgerEntryKind kind : filter.kinds()) {
            statement.setString(column++, kind.name());
        }
        if (filter.start() != null) {
            statement.setObject(column++, toColumn(filter.start()));
        }
        if (filter.end() != null) {
            statement.setObject(column, toColumn(filter.end()));
        }
    }

    private static LedgerEntry entry(ResultSet rows) throws SQLException {
        return new LedgerEntry(rows.getLong(1), rows.getLong(2), LedgerEntryKind.valueOf(rows.getString(3)), LedgerAccount.valueOf(rows.getString(4)),
                rows.getBigDecimal(5), rows.getString(6), rows.getString(7), rows.getLong(8), rows.getLong(9), rows.getString(10), rows.getString(11),
                rows.getString(12), rows.getLong(13), rows.getString(14), rows.getString(15), rows.getObject(16, LocalDate.class),
                rows.getObject(17, LocalDate.class), fromColumn(rows.getObject(18, LocalDateTime.class)));
    }

    /** Where an entry stands in a list: its date, then its id. */
    record Position(Instant createdAt, long id) {

        static Position of(LedgerEntry entry) {
            return new Position(entry.createdAt(), entry.id());
        }
    }
}
