package io.meterline.platform.ledger;

import io.meterline.platform.alert.AlertRequest;
import io.meterline.platform.common.Money;
import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.usage.RepriceListener;
import io.meterline.platform.usage.RepricedUsage;
import io.meterline.platform.usage.StoredLine;
import io.meterline.platform.usage.UsageListener;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws recorded usage down from the organization's balances, in the ingestion transaction. The
 * order, per event in batch order and per line in meter order:
 * <ol>
 * <li>a token meter's quantity draws PLAN_TOKENS while the current period's allowance lasts,</li>
 * <li>then TOPUP_TOKENS,</li>
 * <li>the uncovered share of the line's cost (cost × uncovered / quantity) is charged to CREDITS;</li>
 * <li>non-token meters (images, characters, minutes) are charged to CREDITS in full.</li>
 * </ol>
 * Credits are charged the event's figure in the billing currency ({@link RecordedUsage#billing()}),
 * split over its lines, never the priced currency. Tokens are drawn at ingestion whatever the event's
 * state; its charge waits until it has a billing figure: an event stored unpriced or held unconverted
 * charges nothing at ingestion, and each of its lines' share still to charge is remembered
 * (ledger_uncharged_line) and charged once, when a repricing priced and converted the event
 * ({@link #repriced}) or the held event was converted ({@link #converted}).
 *
 * <p>The draw is computed event by event and posted per usage day: one USAGE entry per (UTC day of
 * the usage, account, service, currency), which a later batch with usage of the same day adds into
 * ({@link LedgerStore#insert}). Per-event entries made the ledger write several rows per event under
 * the organization's balance lock and cut ingestion from 43 % to 32 % of the raw insert rate (issue
 * 3); per-call detail stays in the usage events. The balance row is locked once per batch: draw-downs
 * of one organization must see each other's token balances in order, and the plan rollover must
 * happen once.
 */
@Singleton
public class LedgerUsageListener implements UsageListener, RepriceListener {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerUsageListener.class);

    private final LedgerStore store;
    private final PluginRegistry plugins;
    private final Clock clock;
    private final ApplicationEventPublisher<AlertRequest> alerts;
    private final ApplicationEventPublisher<RepriceAlerts> repriceAlerts;
    /** Alerts of the batch this thread is storing, published only once that very batch committed. */
    private final ThreadLocal<Pending> pending = new ThreadLocal<>();

    private record Pending(List<RecordedUsage> batch, List<AlertRequest> alerts) {
    }

    /** Low-balance alerts a repricing or conversion raised, published to this listener itself and handled once it committed. */
    record RepriceAlerts(List<AlertRequest> alerts) {
    }

    /**
     * An event that may have got its billing figure after ingestion.
     *
     * @param newlyPriced the lines a repricing priced just now (none for a conversion)
     */
    private record Settling(RecordedUsage usage, List<StoredLine> newlyPriced) {
    }

    public LedgerUsageListener(LedgerStore store, PluginRegistry plugins, Clock clock, ApplicationEventPublisher<AlertRequest> alerts,
                               ApplicationEventPublisher<RepriceAlerts> repriceAlerts) {
        this.store = store;
        this.plugins = plugins;
        this.clock = clock;
        this.alerts = alerts;
        this.repriceAlerts = repriceAlerts;
    }

    @Override
    public void inTransaction(Connection connection, List<RecordedUsage> recorded) throws SQLException {
        pending.remove();
        Instant now = clock.instant();
        Map<Long, List<RecordedUsage>> byOrganization = new LinkedHashMap<>();
        recorded.forEach(usage -> byOrganization.computeIfAbsent(usage.organizationId(), id -> new ArrayList<>()).add(usage));
        List<AlertRequest> raised = new ArrayList<>();
        for (Map.Entry<Long, List<RecordedUsage>> group : byOrganization.entrySet()) {
            LedgerStore.OrganizationInfo organization = store.organization(connection, group.getKey());
            if (organization == null) {
                continue;
            }
            LedgerStore.Locked locked = store.lock(connection, organization, now);
            LedgerStore.State before = locked.state();
            Draw draw = new Draw(before.planTokens(), before.topupTokens());
            for (RecordedUsage usage : group.getValue()) {
                draw.add(usage, plugins.units(usage.provider()));
            }
            store.insertUncharged(connection, organization.id(), draw.waiting());
            post(connection, organization, before, draw.entries(organization.id()), now, raised);
        }
        if (!raised.isEmpty()) {
            pending.set(new Pending(recorded, raised));
        }
    }

    @Override
    public void repriced(Connection connection, List<RepricedUsage> repriced) throws SQLException {
        settle(connection, repriced.stream().map(one -> new Settling(one.usage(), one.newlyPriced())).toList());
    }

    @Override
    public void converted(Connection connection, List<RecordedUsage> converted) throws SQLException {
        settle(connection, converted.stream().map(usage -> new Settling(usage, List.of())).toList());
    }

    /**
     * Charges the remembered lines of the events that have their billing figure now, once, and forgets
     * them. A line a repricing priced that nothing remembers was stored before its charge could wait
     * (ledger_unpriced_tokens kept unpriced token lines only): all of it is still to charge, now or,
     * while the event has no billing figure, once it has.
     */
    private void settle(Connection connection, List<Settling> settling) throws SQLException {
        Instant now = clock.instant();
        Map<Long, List<Settling>> byOrganization = new TreeMap<>();
        settling.forEach(one -> byOrganization.computeIfAbsent(one.usage().organizationId(), id -> new ArrayList<>()).add(one));
        List<AlertRequest> raised = new ArrayList<>();
        for (Map.Entry<Long, List<Settling>> group : byOrganization.entrySet()) {
            LedgerStore.OrganizationInfo organization = store.organization(connection, group.getKey());
            if (organization == null) {
                continue;
            }
            LedgerStore.State before = store.lock(connection, organization, now).state();
            Map<List<String>, LedgerStore.UnchargedLine> remembered = store.uncharged(connection, organization.id(),
                    group.getValue().stream().map(one -> one.usage().eventId()).collect(Collectors.toCollection(LinkedHashSet::new)));
            Draw draw = Draw.charges();
            List<LedgerStore.UnchargedLine> charged = new ArrayList<>();
            List<LedgerStore.UnchargedLine> waiting = new ArrayList<>();
            for (Settling one : group.getValue()) {
                RecordedUsage usage = one.usage();
                Map<String, String> units = plugins.units(usage.provider());
                Map<String, LedgerStore.UnchargedLine> lines = new HashMap<>();
                List<LedgerStore.UnchargedLine> known = new ArrayList<>();
                for (StoredLine line : usage.lines()) {
                    LedgerStore.UnchargedLine share = remembered.get(List.of(usage.eventId(), line.meter()));
                    if (share != null) {
                        lines.put(line.meter(), share);
                        known.add(share);
                    }
                }
                List<LedgerStore.UnchargedLine> unknown = new ArrayList<>();
                for (StoredLine line : one.newlyPriced()) {
                    if (line.quantity().signum() > 0 && !lines.containsKey(line.meter())) {
                        LedgerStore.UnchargedLine whole = MeterClass.of(line.meter(), units.get(line.meter())).tokens()
                                ? new LedgerStore.UnchargedLine(usage.eventId(), line.meter(), line.quantity().longValue(), line.quantity().longValue())
                                : LedgerStore.UnchargedLine.whole(usage.eventId(), line.meter());
                        lines.put(line.meter(), whole);
                        unknown.add(whole);
                    }
                }
                if (usage.billing() == null) {
                    waiting.addAll(unknown);
                    continue;
                }
                draw.charge(usage, units, lines);
                charged.addAll(known);
            }
            store.deleteUncharged(connection, organization.id(), charged);
            store.insertUncharged(connection, organization.id(), waiting);
            post(connection, organization, before, draw.entries(organization.id()), now, raised);
        }
        if (!raised.isEmpty()) {
            repriceAlerts.publishEvent(new RepriceAlerts(raised));
        }
    }

    /** Publishes a repricing's low-balance alerts once it committed; nothing if it rolled back. */
    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onRepriceCommitted(RepriceAlerts committed) {
        publish(committed.alerts());
    }

    /** Posts entries, and raises the low-balance alert when they took the credits from at-or-above the threshold to below it. */
    private void post(Connection connection, LedgerStore.OrganizationInfo organization, LedgerStore.State before, List<LedgerEntry> entries, Instant now,
                      List<AlertRequest> raised) throws SQLException {
        LedgerStore.State after = store.post(connection, organization, before, entries, now);
        if (before.credits().compareTo(before.lowThreshold()) >= 0 && after.credits().compareTo(after.lowThreshold()) < 0) {
            after = after.withCrossing();
            store.update(connection, after, now);
            raised.add(lowBalance(organization, after, now));
        }
    }

    @Override
    public void afterCommit(List<RecordedUsage> recorded) {
        Pending batch = pending.get();
        pending.remove();
        if (batch == null || batch.batch() != recorded) {
            return;
        }
        publish(batch.alerts());
    }

    private void publish(List<AlertRequest> raised) {
        for (AlertRequest alert : raised) {
            try {
                alerts.publishEvent(alert);
            }
            catch (RuntimeException e) {
                LOG.warn("Publishing {} failed", alert.dedupeKey(), e);
            }
        }
    }

    private static AlertRequest lowBalance(LedgerStore.OrganizationInfo organization, LedgerStore.State state, Instant now) {
        String balance = state.credits().toPlainString();
        String threshold = state.lowThreshold().toPlainString();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("balance", balance);
        data.put("threshold", threshold);
        data.put("currency", organization.billingCurrency());
        data.put("date", LocalDate.ofInstant(now, organization.zone()).toString());
        data.put("crossing", state.lowCrossings());
        return new AlertRequest(organization.id(), "BALANCE_LOW", "CRITICAL", "balance-low:" + organization.id() + ":" + state.lowCrossings(),
                "Credit balance", "The credit balance " + balance + " " + organization.billingCurrency() + " fell below the low-balance threshold " + threshold,
                data);
    }

    /**
     * One batch's draw-down: the token balances left as its events draw them, event by event in
     * batch order and line by line in meter order; the usage entries, one per (usage day, account,
     * service, currency) touched, summing what its events drew; and the lines whose charge waits.
     */
    static final class Draw {

        private long planTokens;
        private long topupTokens;
        private final Map<RowKey, Row> rows = new LinkedHashMap<>();
        private final List<LedgerStore.UnchargedLine> waiting = new ArrayList<>();

        Draw(long planTokens, long topupTokens) {
            this.planTokens = Math.max(0, planTokens);
            this.topupTokens = Math.max(0, topupTokens);
        }

        /** The charges of events that got their billing figure after ingestion: no tokens are drawn (they were at ingestion), only credits charged. */
        static Draw charges() {
            return new Draw(0, 0);
        }

        /** Draws one event, after the events added before it, and charges it when it has its billing figure. */
        void add(RecordedUsage usage, Map<String, String> units) {
            List<StoredLine> lines = new ArrayList<>(usage.lines());
            lines.sort(Comparator.comparing(StoredLine::meter));
            Map<String, BigDecimal> billed = usage.billing() == null ? null : inBillingCurrency(usage);
            for (StoredLine line : lines) {
                if (line.quantity().signum() <= 0) {
                    continue;
                }
                String unit = units.get(line.meter());
                LedgerStore.UnchargedLine share = LedgerStore.UnchargedLine.whole(usage.eventId(), line.meter());
                if (MeterClass.of(line.meter(), unit).tokens()) {
                    String service = LedgerServices.of(unit, line.meter());
                    long quantity = line.quantity().longValue();
                    long fromPlan = Math.min(planTokens, quantity);
                    planTokens -= fromPlan;
                    long fromTopup = Math.min(topupTokens, quantity - fromPlan);
                    topupTokens -= fromTopup;
                    if (fromPlan > 0) {
                        row(usage, LedgerAccount.PLAN_TOKENS, service, null).add(usage, BigDecimal.valueOf(-fromPlan), fromPlan, 0);
                    }
                    if (fromTopup > 0) {
                        row(usage, LedgerAccount.TOPUP_TOKENS, service, null).add(usage, BigDecimal.valueOf(-fromTopup), fromTopup, 0);
                    }
                    share = new LedgerStore.UnchargedLine(usage.eventId(), line.meter(), quantity, quantity - fromPlan - fromTopup);
                }
                if (billed == null) {
                    waiting.add(share);
                }
                else {
                    charge(usage, line, unit, share, billed);
                }
            }
        }

        /** Charges the given shares of an event's lines (by meter), now that it has its billing figure. */
        void charge(RecordedUsage usage, Map<String, String> units, Map<String, LedgerStore.UnchargedLine> shares) {
            Map<String, BigDecimal> billed = inBillingCurrency(usage);
            List<StoredLine> lines = new ArrayList<>(usage.lines());
            lines.sort(Comparator.comparing(StoredLine::meter));
            for (StoredLine line : lines) {
                LedgerStore.UnchargedLine share = shares.get(line.meter());
                if (share != null && line.priced() && line.quantity().signum() > 0) {
                    charge(usage, line, units.get(line.meter()), share, billed);
                }
            }
        }

        /** Charges CREDITS a share of a line's amount in the billing currency: amount × uncovered / quantity. */
        private void charge(RecordedUsage usage, StoredLine line, @Nullable String unit, LedgerStore.UnchargedLine share, Map<String, BigDecimal> billed) {
            if (share.uncovered() <= 0) {
                return;
            }
            BigDecimal amount = billed.get(line.meter());
            BigDecimal charge = share.uncovered() == share.quantity() ? amount
                    : Money.round(amount.multiply(BigDecimal.valueOf(share.uncovered())).divide(BigDecimal.valueOf(share.quantity()), MathContext.DECIMAL128));
            MeterClass meterClass = MeterClass.of(line.meter(), unit);
            long tokens = meterClass.tokens() ? share.uncovered() : 0;
            long images = meterClass == MeterClass.IMAGES ? line.quantity().longValue() : 0;
            row(usage, LedgerAccount.CREDITS, LedgerServices.of(unit, line.meter()), usage.billingCurrency()).add(usage, charge.negate(), tokens, images);
        }

        /**
         * An event's figure in the billing currency split over its priced lines, by meter: each line
         * converted at the event's rate, the last (in meter order) taking what the others leave, so an
         * event charged in full draws exactly its billing cost.
         */
        static Map<String, BigDecimal> inBillingCurrency(RecordedUsage usage) {
            List<StoredLine> priced = usage.lines().stream().filter(StoredLine::priced).sorted(Comparator.comparing(StoredLine::meter)).toList();
            Map<String, BigDecimal> billed = new HashMap<>();
            BigDecimal rest = usage.billing().amount();
            for (int i = 0; i < priced.size(); i++) {
                StoredLine line = priced.get(i);
                BigDecimal converted = i == priced.size() - 1 ? rest : Money.round(line.amount().multiply(usage.billing().rate()));
                billed.put(line.meter(), converted);
                rest = rest.subtract(converted);
            }
            return billed;
        }

        /** The lines of the events added so far whose charge waits for their billing figure. */
        List<LedgerStore.UnchargedLine> waiting() {
            return waiting;
        }

        /** What the events added so far add to usage entries, in the order their (day, account, service, currency) was first touched. */
        List<LedgerEntry> entries(long organizationId) {
            List<LedgerEntry> entries = new ArrayList<>(rows.size());
            rows.forEach((key, row) -> entries.add(LedgerEntry.usage(organizationId, key.day(), key.account(), row.amount, key.currency(), key.service(),
                    row.tokens, row.images, row.events, row.firstEventId, row.lastEventId, row.lastUsageAt)));
            return entries;
        }

        private Row row(RecordedUsage usage, LedgerAccount account, String service, @Nullable String currency) {
            return rows.computeIfAbsent(new RowKey(LocalDate.ofInstant(usage.timestamp(), ZoneOffset.UTC), account, service, currency), key -> new Row());
        }
    }

    /**
     * What one usage entry is per: the UTC day of the usage (the day whose rate converted it), the
     * account, the service and the charge's currency (null for tokens).
     */
    private record RowKey(LocalDate day, LedgerAccount account, String service, @Nullable String currency) {
    }

    /** The sum a batch adds to one usage entry. */
    private static final class Row {
        private BigDecimal amount = BigDecimal.ZERO;
        private long tokens;
        private long images;
        private long events;
        private String firstEventId;
        private String lastEventId;
        private Instant lastUsageAt;
        private RecordedUsage last;

        void add(RecordedUsage usage, BigDecimal delta, long moreTokens, long moreImages) {
            amount = amount.add(delta);
            tokens += moreTokens;
            images += moreImages;
            // Lines of one event (input and cache-write tokens are both ai_data) count the event once.
            if (last != usage) {
                last = usage;
                events++;
                if (firstEventId == null) {
                    firstEventId = usage.eventId();
                }
                lastEventId = usage.eventId();
                lastUsageAt = lastUsageAt == null || usage.timestamp().isAfter(lastUsageAt) ? usage.timestamp() : lastUsageAt;
            }
        }
    }
}
