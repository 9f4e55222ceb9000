package io.meterline.platform.usage;

import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.fx.Conversion;
import io.meterline.platform.fx.FxRatesStored;
import io.meterline.platform.time.TimeBuckets;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts the priced events held in {@code usage_unconverted} once a rate covers their day: when
 * rates are stored (fxRateSet, the ECB loader, the bundled file, on this instance) and at start.
 * It reads only the held events, in batches of {@value #BATCH}, each batch its own transaction with
 * the events locked, so a large backlog never holds locks long and two instances never convert an
 * event twice. Each converted event gets an audit row, its billing figure goes into the 15-minute
 * aggregates (usage_bucket, for usageSummary), and the {@link RepriceListener}s see it as
 * they see a repriced one (rollups refold it; ledger and budgets count its converted amount once,
 * {@link RepriceListener#converted}); an event whose day still has no rate stays held.
 */
@Singleton
public class HeldUsageConverter {

    static final String SYSTEM = "system";
    private static final int BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(HeldUsageConverter.class);

    private final TransactionOperations<Connection> transactions;
    private final UsageConverter converter;
    private final OrganizationRepository organizations;
    private final Clock clock;
    private final UsageQueries queries;
    private final UsageStore store;
    private final List<RepriceListener> listeners;

    HeldUsageConverter(TransactionOperations<Connection> transactions, UsageConverter converter, OrganizationRepository organizations, Clock clock,
                       UsageQueries queries, UsageStore store, List<RepriceListener> listeners) {
        this.transactions = transactions;
        this.store = store;
        this.queries = queries;
        this.listeners = listeners;
        this.converter = converter;
        this.organizations = organizations;
        this.clock = clock;
    }

    /** What a batch did: the last row it read (the next batch starts after it), how many it read and converted. */
    private record BatchResult(long lastRowId, int read, int converted) {
    }

    @EventListener
    void onRatesStored(FxRatesStored event) {
        try {
            convertHeld(event.by());
        }
        catch (RuntimeException e) {
            // The rates are stored whatever happens here; the events stay held and the next pass converts them.
            LOG.error("Converting held usage after new exchange rates failed", e);
        }
    }

    @EventListener
    void onStartup(StartupEvent event) {
        onRatesStored(new FxRatesStored(Set.of(), SYSTEM));
    }

    /**
     * A rate stored on another instance converts nothing here, and an event held by a batch that
     * committed just after a pass ran waits for the next rate: this pass catches both. It reads only
     * usage_unconverted, which is empty or small.
     */
    @Scheduled(fixedDelay = "${meterline.usage.conversion.retry-interval}", initialDelay = "${meterline.usage.conversion.retry-interval}")
    void retry() {
        onRatesStored(new FxRatesStored(Set.of(), SYSTEM));
    }

    /**
     * Converts every held event whose day now has a rate.
     *
     * @param by who caused it, for the audit rows
     * @return how many events were converted
     */
    public long convertHeld(String by) {
        Map<Long, BillingCurrencyHistory.Schedule> schedules = new HashMap<>();
        long afterId = 0;
        long converted = 0;
        while (true) {
            long cursor = afterId;
            BatchResult result = transactions.executeWrite(status -> convertBatch(status.getConnection(), cursor, by, schedules));
            converted += result.converted();
            if (result.read() < BATCH) {
                break;
            }
            afterId = result.lastRowId();
        }
        if (converted > 0) {
            LOG.info("Converted {} held usage events into their billing currency", converted);
        }
        return converted;
    }

    private BatchResult convertBatch(Connection connection, long afterId, String by, Map<Long, BillingCurrencyHistory.Schedule> schedules) throws SQLException {
        List<UsageEventView> held;
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + UsageStore.EVENT_COLUMNS + " FROM usage_event WHERE id IN"
                + " (SELECT usage_event_id FROM usage_unconverted WHERE usage_event_id > ?) ORDER BY id LIMIT " + BATCH + " FOR UPDATE")) {
            statement.setLong(1, afterId);
            held = queries.read(statement);
        }
        if (held.isEmpty()) {
            return new BatchResult(afterId, 0, 0);
        }
        LocalDateTime now = TimeBuckets.toColumn(clock.instant());
        List<RecordedUsage> converted = new ArrayList<>();
        // The 15-minute aggregates get the billing figures per organization, in key order once per batch (as ingestion adds them).
        Map<Long, UsageStore.Deltas> aggregates = new TreeMap<>();
        try (PreparedStatement update = connection.prepareStatement("UPDATE usage_event SET billing_cost = ?, billing_currency = ?, fx_rate = ?,"
                + " fx_rate_date = ? WHERE id = ? AND billing_cost IS NULL");
             PreparedStatement release = connection.prepareStatement("DELETE FROM usage_unconverted WHERE usage_event_id = ?");
             PreparedStatement audit = connection.prepareStatement("INSERT INTO usage_convert_audit (usage_event_id, cost, currency, billing_cost,"
                     + " billing_currency, fx_rate, fx_rate_date, converted_at, converted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (UsageEventView event : held) {
                if (event.billingCost() != null || event.cost() == null) {
                    // Converted by another instance since this batch was listed, or (never) unpriced: nothing to convert.
                    release.setLong(1, event.id());
                    release.executeUpdate();
                    continue;
                }
                Optional<Conversion> conversion = converter.convert(schedule(event.organizationId(), schedules), event.cost(), event.currency(), event.timestamp());
                if (conversion.isEmpty()) {
                    continue;
                }
                Conversion billing = conversion.get();
                for (RepriceListener listener : listeners) {
                    listener.beforeReprice(connection, event.id());
                }
                update.setBigDecimal(1, billing.amount());
                update.setString(2, billing.currencyCode());
                update.setBigDecimal(3, billing.rate());
                update.setObject(4, billing.rateDate());
                update.setLong(5, event.id());
                update.executeUpdate();
                for (RepriceListener listener : listeners) {
                    listener.afterReprice(connection, event.id());
                }
                release.setLong(1, event.id());
                release.executeUpdate();
                audit.setLong(1, event.id());
                audit.setBigDecimal(2, event.cost());
                audit.setString(3, event.currency());
                audit.setBigDecimal(4, billing.amount());
                audit.setString(5, billing.currencyCode());
                audit.setBigDecimal(6, billing.rate());
                audit.setObject(7, billing.rateDate());
                audit.setObject(8, now);
                audit.setString(9, by);
                audit.executeUpdate();
                aggregates.computeIfAbsent(event.organizationId(), id -> new UsageStore.Deltas())
                        .addConverted(event.timestamp(), event.provider(), event.model(), billing);
                converted.add(new RecordedUsage(event.organizationId(), event.apiKeyId(), event.eventId(), event.timestamp(), event.provider(), event.model(),
                        event.dimensions(), event.requests(), !UsageEventParser.STATUS_OK.equals(event.status()), event.lines(), event.cost(), event.currency(),
                        null, billing));
            }
        }
        for (Map.Entry<Long, UsageStore.Deltas> organization : aggregates.entrySet()) {
            store.apply(connection, organization.getKey(), organization.getValue());
        }
        if (!converted.isEmpty()) {
            for (RepriceListener listener : listeners) {
                listener.converted(connection, converted);
            }
        }
        return new BatchResult(held.get(held.size() - 1).id(), held.size(), converted.size());
    }

    private BillingCurrencyHistory.Schedule schedule(long organizationId, Map<Long, BillingCurrencyHistory.Schedule> schedules) {
        BillingCurrencyHistory.Schedule known = schedules.get(organizationId);
        if (known != null) {
            return known;
        }
        Organization organization = organizations.findById(organizationId).orElseThrow();
        BillingCurrencyHistory.Schedule schedule = converter.schedule(organization);
        schedules.put(organizationId, schedule);
        return schedule;
    }
}
