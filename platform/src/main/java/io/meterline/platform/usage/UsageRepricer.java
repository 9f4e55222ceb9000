package io.meterline.platform.usage;

import io.meterline.platform.time.TimeBuckets;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.plugin.spi.Rate;
import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.pricing.RateRecord;
import io.meterline.platform.pricing.RateSet;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prices events that were stored unpriced once a rate covers them, on pricing's {@link RateSet}. Only the unpriced lines are
 * priced; lines priced before keep their amounts, so no earlier cost ever changes. Each repriced
 * event gets an audit row, and the aggregates move from "unpriced" to the rate's currency in the
 * same transaction. The listeners see every repriced event once at the end ({@link RepriceListener#repriced}),
 * where the ledger charges and the budgets count the new cost.
 */
@Singleton
public class UsageRepricer {

    private static final int CHUNK = 500;

    private final JdbcOperations jdbc;
    private final UsageQueries queries;
    private final UsageStore store;
    private final UsagePricer pricer;
    private final UsageConverter converter;
    private final PluginRegistry plugins;
    private final OrganizationRepository organizations;
    private final Clock clock;
    private final List<RepriceListener> listeners;

    UsageRepricer(JdbcOperations jdbc, UsageQueries queries, UsageStore store, UsagePricer pricer, UsageConverter converter,
                  PluginRegistry plugins,
                  OrganizationRepository organizations, Clock clock, List<RepriceListener> listeners) {
        this.listeners = listeners;
        this.jdbc = jdbc;
        this.queries = queries;
        this.store = store;
        this.pricer = pricer;
        this.converter = converter;
        this.plugins = plugins;
        this.organizations = organizations;
        this.clock = clock;
    }

    /** Prices the unpriced events a new rate covers, in the transaction that stored the rate. */
    @EventListener
    public void onRateSet(RateSet event) {
        event.addRepriced(reprice(event.rate(), event.by()));
    }

    /** Prices the unpriced events a new rate covers; returns how many events changed. */
    @Transactional
    public long reprice(RateRecord rate, String by) {
        ProviderPlugin plugin = plugins.find(rate.provider()).orElseThrow();
        Map<Long, Organization> organizationCache = new HashMap<>();
        Map<Long, BillingCurrencyHistory.Schedule> schedules = new HashMap<>();
        // Kept for the listeners' one call at the end: a few hundred bytes per event, for a repricing
        // whose events stay locked by this transaction until it ends anyway.
        List<RepricedUsage> repriced = new ArrayList<>();
        long afterId = 0;
        while (true) {
            long cursor = afterId;
            List<UsageEventView> events = jdbc.prepareStatement("SELECT " + UsageStore.EVENT_COLUMNS + " FROM usage_event WHERE id IN (SELECT usage_event_id"
                    + " FROM usage_unpriced WHERE provider = ?" + (Rate.ANY_MODEL.equals(rate.model()) ? "" : " AND model = ?")
                    + " AND occurred_at >= ? AND usage_event_id > ?) ORDER BY id LIMIT " + CHUNK + " FOR UPDATE", statement -> {
                int column = 1;
                statement.setString(column++, rate.provider());
                if (!Rate.ANY_MODEL.equals(rate.model())) {
                    statement.setString(column++, rate.model());
                }
                statement.setObject(column++, TimeBuckets.toColumn(rate.effectiveFrom()));
                statement.setLong(column, cursor);
                return queries.read(statement);
            });
            if (events.isEmpty()) {
                break;
            }
            for (UsageEventView event : events) {
                Organization organization = organizationCache.computeIfAbsent(event.organizationId(), id -> organizations.findById(id).orElseThrow());
                RepricedUsage one = reprice(organization, schedules.computeIfAbsent(organization.id(), id -> converter.schedule(organization)), plugin, event,
                        rate, by);
                if (one != null) {
                    repriced.add(one);
                }
                afterId = event.id();
            }
        }
        if (!repriced.isEmpty()) {
            jdbc.execute(connection -> {
                for (RepriceListener listener : listeners) {
                    listener.repriced(connection, repriced);
                }
                return null;
            });
        }
        return repriced.size();
    }

    /** Prices one event's unpriced lines; null when the rate priced none of them. */
    @Nullable
    private RepricedUsage reprice(Organization organization, BillingCurrencyHistory.Schedule schedule, ProviderPlugin plugin, UsageEventView event,
                                  RateRecord rate, String by) {
        Map<String, BigDecimal> unpricedQuantities = new TreeMap<>();
        event.lines().stream().filter(line -> !line.priced()).forEach(line -> unpricedQuantities.put(line.meter(), line.quantity()));
        Map<String, StoredLine> repriced = new HashMap<>();
        pricer.priceLines(organization, plugin, event.provider(), event.model(), event.timestamp(), unpricedQuantities)
                .stream().filter(StoredLine::priced).forEach(line -> repriced.put(line.meter(), line));
        if (repriced.isEmpty()) {
            return null;
        }
        List<StoredLine> lines = new ArrayList<>();
        event.lines().forEach(line -> lines.add(line.priced() ? line : repriced.getOrDefault(line.meter(), line)));
        BigDecimal cost = UsagePricer.cost(lines);
        String currency = cost == null ? null : UsagePricer.currency(lines, organization);
        if (event.cost() != null) {
            // Events with a cost are never in usage_unpriced; this guards the "charged once" rule.
            throw new IllegalStateException("Event " + event.id() + " has a cost and unpriced lines");
        }
        // A newly priced event converts like one priced at ingestion, at the rate of its own day.
        Conversion billing = cost == null ? null : converter.convert(schedule, cost, currency, event.timestamp()).orElse(null);
        UsageEventDraft draft = new UsageEventDraft(0, event.eventId(), event.timestamp(), event.provider(), event.model(), Map.of(), Map.of(),
                event.dimensions(), event.status(), event.durationMs(), event.requests(), null);
        UsageStore.Deltas deltas = new UsageStore.Deltas();
        deltas.add(draft, event.lines(), false, null, -1);
        deltas.add(draft, lines, cost != null, billing, 1);
        Instant now = clock.instant();
        jdbc.execute(connection -> {
            for (RepriceListener listener : listeners) {
                listener.beforeReprice(connection, event.id());
            }
            update(connection, event.id(), cost, currency, store.writeLines(lines), billing);
            if (cost != null && billing == null) {
                UsageStore.markUnconverted(connection, event.id());
            }
            for (RepriceListener listener : listeners) {
                listener.afterReprice(connection, event.id());
            }
            if (cost != null) {
                try (PreparedStatement statement = connection.prepareStatement("DELETE FROM usage_unpriced WHERE usage_event_id = ?")) {
                    statement.setLong(1, event.id());
                    statement.executeUpdate();
                }
            }
            store.apply(connection, event.organizationId(), deltas);
            audit(connection, event.id(), rate.id(), cost, currency, now, by);
            return null;
        });
        RecordedUsage usage = new RecordedUsage(event.organizationId(), event.apiKeyId(), event.eventId(), event.timestamp(), event.provider(), event.model(),
                event.dimensions(), event.requests(), !UsageEventParser.STATUS_OK.equals(event.status()), lines, cost, currency, null, billing);
        return new RepricedUsage(event.id(), usage, List.copyOf(repriced.values()));
    }

    private static void update(Connection connection, long id, BigDecimal cost, String currency, String lines, @Nullable Conversion billing) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE usage_event SET priced = ?, cost = ?, currency = ?, priced_lines = ?,"
                + " billing_cost = ?, billing_currency = ?, fx_rate = ?, fx_rate_date = ? WHERE id = ?")) {
            statement.setBoolean(1, cost != null);
            statement.setBigDecimal(2, cost);
            statement.setString(3, currency);
            statement.setString(4, lines);
            statement.setBigDecimal(5, billing == null ? null : billing.amount());
            statement.setString(6, billing == null ? null : billing.currencyCode());
            statement.setBigDecimal(7, billing == null ? null : billing.rate());
            if (billing == null) {
                statement.setNull(8, Types.DATE);
            }
            else {
                statement.setObject(8, billing.rateDate());
            }
            statement.setLong(9, id);
            statement.executeUpdate();
        }
    }

    private static void audit(Connection connection, long eventId, long rateId, BigDecimal cost, String currency, Instant at, String by) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO usage_reprice_audit (usage_event_id, rate_id, cost, currency, fully_priced,"
                + " repriced_at, repriced_by) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            statement.setLong(1, eventId);
            statement.setLong(2, rateId);
            statement.setBigDecimal(3, cost);
            statement.setString(4, currency);
            statement.setBoolean(5, cost != null);
            statement.setObject(6, TimeBuckets.toColumn(at));
            statement.setString(7, by);
            statement.executeUpdate();
        }
    }
}
