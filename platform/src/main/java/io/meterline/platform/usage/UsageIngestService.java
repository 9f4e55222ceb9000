package io.meterline.platform.usage;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.jdbc.SqlStates;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a batch of usage events exactly once. The whole batch is checked and priced first; then
 * one transaction looks up the ids already stored, inserts the new events and adds them to the
 * aggregates. The unique key on (organization, event id) is the durable dedupe: when another server
 * inserts the same id at the same moment, this transaction fails on that key, rolls back and runs
 * again, and then sees the event as a duplicate.
 */
@Singleton
public class UsageIngestService {

    private static final int ATTEMPTS = 3;

    private final UsageEventParser parser;
    private final UsagePricer pricer;
    private final UsageConverter converter;
    private final UsageStore store;
    private final OrganizationRepository organizations;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final List<UsageListener> listeners;

    UsageIngestService(UsageEventParser parser, UsagePricer pricer, UsageConverter converter, UsageStore store, OrganizationRepository organizations,
                       TransactionOperations<Connection> transactions, Clock clock, List<UsageListener> listeners) {
        this.parser = parser;
        this.pricer = pricer;
        this.converter = converter;
        this.store = store;
        this.organizations = organizations;
        this.transactions = transactions;
        this.clock = clock;
        this.listeners = listeners;
    }

    /** Records the events of a {@code POST /v1/usage} body. */
    public List<EventResult> recordBody(long organizationId, @Nullable Long apiKeyId, Object body) {
        return record(organizationId, apiKeyId, parser.parseBody(body));
    }

    /** Records events given as maps, as {@code usageRecord} receives them. */
    public List<EventResult> recordEvents(long organizationId, @Nullable Long apiKeyId, List<?> events) {
        return record(organizationId, apiKeyId, parser.parse(events));
    }

    private List<EventResult> record(long organizationId, @Nullable Long apiKeyId, List<UsageEventDraft> drafts) {
        Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
        // Priced and converted before the transaction: both read only caches (and the organization's
        // few billing-currency rows), so the transaction holds its locks no longer than before.
        List<PricedEvent> priced = converter.convert(organization, pricer.price(organization, drafts));
        for (int attempt = 1; ; attempt++) {
            try {
                List<RecordedUsage> recorded = new ArrayList<>();
                List<EventResult> results = transactions.executeWrite(status -> store(status.getConnection(), organizationId, apiKeyId, priced, recorded));
                if (!recorded.isEmpty()) {
                    listeners.forEach(listener -> listener.afterCommit(recorded));
                }
                return results;
            }
            catch (RuntimeException e) {
                // Another server inserted one of the ids first, or the database picked this batch as
                // a deadlock victim: the transaction rolled back whole, so it is safe to run again.
                if (!(e instanceof ConcurrentInsertException) && !SqlStates.isRetryableLockConflict(e)) {
                    throw e;
                }
                if (attempt == ATTEMPTS) {
                    throw new MeterlineException(io.meterline.platform.common.ErrorCode.INTERNAL, "The batch kept colliding with concurrent writes; retry it");
                }
            }
        }
    }

    private List<EventResult> store(Connection connection, long organizationId, @Nullable Long apiKeyId, List<PricedEvent> events,
                                    List<RecordedUsage> recorded) {
        try {
            Map<String, UsageStore.Existing> existing = store.existing(connection, organizationId, events.stream().map(event -> event.draft().eventId()).distinct().toList());
            Map<String, PricedEvent> firstInBatch = new HashMap<>();
            Map<String, PricedEvent> fresh = new LinkedHashMap<>();
            List<EventResult> results = new ArrayList<>(events.size());
            List<UsageError> conflicts = new ArrayList<>();
            for (PricedEvent event : events) {
                UsageEventDraft draft = event.draft();
                UsageStore.Existing stored = existing.get(draft.eventId());
                PricedEvent earlier = firstInBatch.putIfAbsent(draft.eventId(), event);
                String knownHash = stored != null ? stored.contentHash() : earlier != null ? earlier.contentHash() : null;
                if (knownHash == null) {
                    fresh.put(draft.eventId(), event);
                    results.add(new EventResult(draft.index(), draft.eventId(), EventResult.Outcome.ACCEPTED, event.cost(), event.currency(), event.priced(),
                            event.billing() == null ? null : event.billing().amount(), event.billing() == null ? null : event.billing().currencyCode()));
                }
                else if (!knownHash.equals(event.contentHash())) {
                    conflicts.add(new UsageError(draft.index(), "id", UsageErrorCode.CONFLICT,
                            "Event " + draft.eventId() + " was already recorded with different content; a new event needs a new id"));
                }
                else if (stored != null) {
                    results.add(new EventResult(draft.index(), draft.eventId(), EventResult.Outcome.DUPLICATE, stored.cost(), stored.currency(), stored.cost() != null,
                            stored.billingCost(), stored.billingCurrency()));
                }
                else {
                    results.add(new EventResult(draft.index(), draft.eventId(), EventResult.Outcome.DUPLICATE, earlier.cost(), earlier.currency(), earlier.priced(),
                            earlier.billing() == null ? null : earlier.billing().amount(), earlier.billing() == null ? null : earlier.billing().currencyCode()));
                }
            }
            if (!conflicts.isEmpty()) {
                throw new UsageBatchRejectedException(conflicts);
            }
            if (!fresh.isEmpty()) {
                List<PricedEvent> inserts = List.copyOf(fresh.values());
                store.insertEvents(connection, organizationId, apiKeyId, inserts, clock.instant());
                UsageStore.Deltas deltas = new UsageStore.Deltas();
                inserts.forEach(event -> deltas.add(event.draft(), event.lines(), event.priced(), event.billing(), 1));
                store.apply(connection, organizationId, deltas);
                inserts.forEach(event -> recorded.add(RecordedUsage.of(organizationId, apiKeyId, event)));
                for (UsageListener listener : listeners) {
                    listener.inTransaction(connection, recorded);
                }
            }
            return results;
        }
        catch (SQLException e) {
            if (SqlStates.isDuplicateKey(e)) {
                throw new ConcurrentInsertException(e);
            }
            throw new IllegalStateException("Storing usage failed", e);
        }
    }

    /** Another transaction inserted one of the batch's ids first. */
    private static final class ConcurrentInsertException extends RuntimeException {
        ConcurrentInsertException(Throwable cause) {
            super(cause);
        }
    }
}
