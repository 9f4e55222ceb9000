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
import java.util.ArrayList;
import java.util.Comparator;
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
 * Charges keep the line's currency; only the billing currency counts in the balance (no FX).
 * Unpriced lines draw tokens but charge no credits.
 *
 * <p>The draw is computed event by event, but posted once per batch: one USAGE entry per (account,
 * service, currency) the batch touched, with the sum of its amounts, tokens and images, the number
 * of events and the first and last event ids. Per-event entries made the ledger write several rows
 * per event under the organization's balance lock and cut ingestion from 43 % to 32 % of the raw
 * insert rate (issue 3); per-call detail stays in the usage events. The balance row is still locked
 * once per batch: draw-downs of one organization must see each other's token balances in order, and
 * the plan rollover must happen once.
 *
 * <p>Repricing ({@link RepriceListener}): when a rate prices lines that were stored unpriced, the
 * repricing transaction charges CREDITS what ingestion could not, once per repricing: one USAGE
 * entry per (account, service, currency), described as a repricing. A non-token line is charged in
 * full; a token line only its share that no plan or top-up tokens covered at ingestion (kept in
 * ledger_unpriced_tokens, since the tokens were drawn then). Only newly priced lines are passed, so
 * nothing is charged twice.
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

    /** Low-balance alerts a repricing raised, published to this listener itself and handled once the repricing committed. */
    record RepriceAlerts(List<AlertRequest> alerts) {
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
            if (!draw.unpricedTokens().isEmpty()) {
                store.insertUnpricedTokens(connection, organization.id(), draw.unpricedTokens());
            }
            post(connection, organization, before, draw.entries(organization.id(), now), now, raised);
        }
        if (!raised.isEmpty()) {
            pending.set(new Pending(recorded, raised));
        }
    }

    @Override
    public void repriced(Connection connection, List<RepricedUsage> repriced) throws SQLException {
        Instant now = clock.instant();
        Map<Long, List<RepricedUsage>> byOrganization = new TreeMap<>();
        repriced.forEach(one -> byOrganization.computeIfAbsent(one.usage().organizationId(), id -> new ArrayList<>()).add(one));
        List<AlertRequest> raised = new ArrayList<>();
        for (Map.Entry<Long, List<RepricedUsage>> group : byOrganization.entrySet()) {
            LedgerStore.OrganizationInfo organization = store.organization(connection, group.getKey());
            if (organization == null) {
                continue;
            }
            LedgerStore.State before = store.lock(connection, organization, now).state();
            Map<List<String>, LedgerStore.UnpricedTokens> drawn = store.unpricedTokens(connection, organization.id(),
                    group.getValue().stream().map(one -> one.usage().eventId()).collect(Collectors.toCollection(LinkedHashSet::new)));
            Draw draw = Draw.repricing();
            List<LedgerStore.UnpricedTokens> charged = new ArrayList<>();
            for (RepricedUsage one : group.getValue()) {
                charged.addAll(draw.charge(one, plugins.units(one.usage().provider()), drawn));
            }
            if (!charged.isEmpty()) {
                store.deleteUnpricedTokens(connection, organization.id(), charged);
            }
            post(connection, organization, before, draw.entries(organization.id(), now), now, raised);
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
     * batch order and line by line in meter order, and the batch's usage entries, one per (account,
     * service, currency) touched, summing what its events drew.
     */
    static final class Draw {

        private long planTokens;
        private long topupTokens;
        private final boolean repricing;
        private final Map<RowKey, Row> rows = new LinkedHashMap<>();
        private final List<LedgerStore.UnpricedTokens> unpricedTokens = new ArrayList<>();

        Draw(long planTokens, long topupTokens) {
            this(planTokens, topupTokens, false);
        }

        private Draw(long planTokens, long topupTokens, boolean repricing) {
            this.planTokens = Math.max(0, planTokens);
            this.topupTokens = Math.max(0, topupTokens);
            this.repricing = repricing;
        }

        /** The charges of a repricing: no tokens are drawn (they were at ingestion), only credits charged. */
        static Draw repricing() {
            return new Draw(0, 0, true);
        }

        /** Draws one event, after the events added before it. */
        void add(RecordedUsage usage, Map<String, String> units) {
            List<StoredLine> lines = new ArrayList<>(usage.lines());
            lines.sort(Comparator.comparing(StoredLine::meter));
            for (StoredLine line : lines) {
                if (line.quantity().signum() <= 0) {
                    continue;
                }
                String unit = units.get(line.meter());
                String service = LedgerServices.of(unit, line.meter());
                if (MeterClass.of(line.meter(), unit).tokens()) {
                    long quantity = line.quantity().longValue();
                    long fromPlan = Math.min(planTokens, quantity);
                    planTokens -= fromPlan;
                    long fromTopup = Math.min(topupTokens, quantity - fromPlan);
                    topupTokens -= fromTopup;
                    long uncovered = quantity - fromPlan - fromTopup;
                    if (fromPlan > 0) {
                        row(LedgerAccount.PLAN_TOKENS, service, null).add(usage, BigDecimal.valueOf(-fromPlan), fromPlan, 0);
                    }
                    if (fromTopup > 0) {
                        row(LedgerAccount.TOPUP_TOKENS, service, null).add(usage, BigDecimal.valueOf(-fromTopup), fromTopup, 0);
                    }
                    if (!line.priced()) {
                        unpricedTokens.add(new LedgerStore.UnpricedTokens(usage.eventId(), line.meter(), quantity, uncovered));
                    }
                    else if (uncovered > 0) {
                        chargeTokens(usage, line, service, uncovered, quantity);
                    }
                }
                else if (line.priced()) {
                    chargeInFull(usage, line, unit, service);
                }
            }
        }

        /**
         * Charges the lines a repricing priced: a token line the share its draw at ingestion left
         * uncovered ({@code drawn}; a line stored before that was kept is charged in full), any other
         * line in full. Returns the remembered draws it charged, to be forgotten.
         */
        List<LedgerStore.UnpricedTokens> charge(RepricedUsage repriced, Map<String, String> units, Map<List<String>, LedgerStore.UnpricedTokens> drawn) {
            RecordedUsage usage = repriced.usage();
            List<StoredLine> lines = new ArrayList<>(repriced.newlyPriced());
            lines.sort(Comparator.comparing(StoredLine::meter));
            List<LedgerStore.UnpricedTokens> charged = new ArrayList<>();
            for (StoredLine line : lines) {
                if (line.quantity().signum() <= 0 || !line.priced()) {
                    continue;
                }
                String unit = units.get(line.meter());
                String service = LedgerServices.of(unit, line.meter());
                if (MeterClass.of(line.meter(), unit).tokens()) {
                    long quantity = line.quantity().longValue();
                    LedgerStore.UnpricedTokens draw = drawn.get(List.of(usage.eventId(), line.meter()));
                    long uncovered = draw == null ? quantity : Math.min(quantity, draw.uncovered());
                    if (draw != null) {
                        charged.add(draw);
                    }
                    if (uncovered > 0) {
                        chargeTokens(usage, line, service, uncovered, quantity);
                    }
                }
                else {
                    chargeInFull(usage, line, unit, service);
                }
            }
            return charged;
        }

        /** Charges CREDITS the uncovered share of a priced token line: cost × uncovered / quantity. */
        private void chargeTokens(RecordedUsage usage, StoredLine line, String service, long uncovered, long quantity) {
            BigDecimal charge = uncovered == quantity ? line.amount()
                    : Money.round(line.amount().multiply(BigDecimal.valueOf(uncovered)).divide(BigDecimal.valueOf(quantity), MathContext.DECIMAL128));
            row(LedgerAccount.CREDITS, service, line.currency()).add(usage, charge.negate(), uncovered, 0);
        }

        private void chargeInFull(RecordedUsage usage, StoredLine line, @Nullable String unit, String service) {
            long images = MeterClass.of(line.meter(), unit) == MeterClass.IMAGES ? line.quantity().longValue() : 0;
            row(LedgerAccount.CREDITS, service, line.currency()).add(usage, line.amount().negate(), 0, images);
        }

        /** The unpriced token lines of the events added so far, with what their draw left uncovered. */
        List<LedgerStore.UnpricedTokens> unpricedTokens() {
            return unpricedTokens;
        }

        /** The usage entries of the events added so far, in the order their (account, service, currency) was first touched. */
        List<LedgerEntry> entries(long organizationId, Instant now) {
            List<LedgerEntry> entries = new ArrayList<>(rows.size());
            rows.values().forEach(row -> entries.add(LedgerEntry.usage(organizationId, row.account, row.amount, row.currency, row.service, row.tokens,
                    row.images, repricing ? "Repricing: " + row.description() : row.description(), row.events, row.firstEventId, row.lastEventId, now)));
            return entries;
        }

        private Row row(LedgerAccount account, String service, String currency) {
            return rows.computeIfAbsent(new RowKey(account, service, currency), key -> new Row(account, service, currency));
        }
    }

    /** What one usage entry of a batch is per: the account, the service and the charge's currency (null for tokens). */
    private record RowKey(LedgerAccount account, String service, String currency) {
    }

    /** A provider and model, for the description. */
    private record Model(String provider, String model) {

        @Override
        public String toString() {
            return provider + " " + model;
        }
    }

    /** The sum one usage entry is being built from. */
    private static final class Row {
        private final LedgerAccount account;
        private final String service;
        private final String currency;
        private BigDecimal amount = BigDecimal.ZERO;
        private long tokens;
        private long images;
        private long events;
        private String firstEventId;
        private String lastEventId;
        private RecordedUsage last;
        /** Events per "provider model", in first-seen order, for the description. */
        private final Map<Model, Integer> models = new LinkedHashMap<>();

        Row(LedgerAccount account, String service, String currency) {
            this.account = account;
            this.service = service;
            this.currency = currency;
        }

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
                models.merge(new Model(usage.provider(), usage.model()), 1, Integer::sum);
            }
        }

        /** "openai gpt-4o usage" for one event; "Usage of 412 events: openai gpt-4o (400), openai gpt-4o-mini (12)" for more. */
        String description() {
            if (events == 1) {
                return models.keySet().iterator().next() + " usage";
            }
            StringBuilder text = new StringBuilder("Usage of ").append(events).append(" events: ");
            String separator = "";
            for (Map.Entry<Model, Integer> model : models.entrySet()) {
                if (text.length() > 200) {
                    break;
                }
                text.append(separator).append(model.getKey()).append(" (").append(model.getValue()).append(')');
                separator = ", ";
            }
            return text.toString();
        }
    }
}
