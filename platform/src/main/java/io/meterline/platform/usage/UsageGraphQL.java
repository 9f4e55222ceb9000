package io.meterline.platform.usage;

import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.common.UserError;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.pricing.MeterClass;
import io.meterline.platform.pricing.PluginRegistry;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.time.ViewerZones;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of usage: {@code usageRecord}, {@code usageSummary}, {@code usageEvents} and the event type. */
@Singleton
public class UsageGraphQL implements GraphQLWiring, BatchLoaders {

    static final String EVENT_TYPE = "UsageEvent";
    /** Every note of a page's events, loaded in one statement; fetchers show each viewer only what they may see. */
    static final String NOTES = "usageNotes";
    /** GraphQL input names that differ from the wire format's. */
    private static final Map<String, String> WIRE_NAMES = Map.of("durationMs", "duration_ms", "reservationId", "reservation_id");

    private final UsageIngestService ingest;
    private final UsageSummaryService summaries;
    private final UsageQueries queries;
    private final UsageNoteService notes;
    private final PluginRegistry plugins;
    private final TenantScope tenantScope;
    private final ViewerZones zones;
    private final Clock clock;

    UsageGraphQL(UsageIngestService ingest, UsageSummaryService summaries, UsageQueries queries, UsageNoteService notes,
                 PluginRegistry plugins, TenantScope tenantScope, ViewerZones zones, Clock clock) {
        this.ingest = ingest;
        this.summaries = summaries;
        this.queries = queries;
        this.notes = notes;
        this.plugins = plugins;
        this.tenantScope = tenantScope;
        this.zones = zones;
        this.clock = clock;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(NOTES, DataLoaderFactory.newMappedDataLoader((Set<Long> eventIds) -> CompletableFuture.completedFuture(
                notes.forEvents(eventIds))));
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("usageSummary", this::summary)
                .dataFetcher("usageEvents", this::events));
        wiring.type("Mutation", type -> type
                .dataFetcher("usageRecord", this::record)
                .dataFetcher("usageNoteSet", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("event", () -> notes.set(GraphQLContextKeys.viewer(environment), (String) input.get("eventId"), (String) input.get("text")));
                })
                .dataFetcher("usageNoteDelete", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("event", () -> notes.delete(GraphQLContextKeys.viewer(environment), (String) input.get("eventId")));
                }));
        wiring.type("UsageNote", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(UsageNote.TYPE, environment.<UsageNote>getSource().id())));
        wiring.type("UsageEvent", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(EVENT_TYPE, environment.<UsageEventView>getSource().id()))
                .dataFetcher("cost", environment -> {
                    UsageEventView event = environment.getSource();
                    return event.billingCost() == null ? null : new Money(event.billingCost(), event.billingCurrency());
                })
                .dataFetcher("originalCost", environment -> {
                    UsageEventView event = environment.getSource();
                    return event.cost() == null ? null : new Money(event.cost(), event.currency());
                })
                // Each line's cost converts at its event's rate: the event travels to the lines as their local context.
                .dataFetcher("lines", environment -> DataFetcherResult.<List<StoredLine>>newResult()
                        .data(environment.<UsageEventView>getSource().lines()).localContext(environment.getSource()).build())
                .dataFetcher("exchangeRate", environment -> {
                    UsageEventView event = environment.getSource();
                    return event.billingCost() == null || event.billingCurrency().equals(event.currency()) ? null
                            : new UsageEventView.ExchangeRate(event.currency(), event.billingCurrency(), event.fxRate(), event.fxRateDate());
                })
                .dataFetcher("meters", environment -> environment.<UsageEventView>getSource().lines().stream()
                        .map(line -> new UsageSummary.MeterQuantity(line.meter(), line.quantity())).toList())
                .dataFetcher("apiKey", environment -> BatchLoaders.load(environment, SharedLoaders.API_KEYS, environment.<UsageEventView>getSource().apiKeyId()))
                .dataFetcher("inputTokens", environment -> tokens(environment.getSource(), false))
                .dataFetcher("outputTokens", environment -> tokens(environment.getSource(), true))
                .dataFetcher("totalTokens", environment -> tokens(environment.getSource(), false) + tokens(environment.getSource(), true))
                .dataFetcher("note", environment -> visibleNotes(environment)
                        .thenApply(found -> found.stream().filter(note -> note.authorUserId() == GraphQLContextKeys.viewer(environment).userId()).findFirst().orElse(null)))
                .dataFetcher("notes", this::visibleNotes));
        wiring.type("UsageDimensions", type -> type.dataFetcher("tags", environment -> {
            String tags = environment.<Dimensions>getSource().tagsJson();
            return tags == null ? null : UsageJson.parseText(tags);
        }));
        wiring.type("PricedLine", type -> type
                .dataFetcher("unitPrice", environment -> {
                    StoredLine line = environment.getSource();
                    return line.priced() ? new Money(line.unitPrice(), line.currency()) : null;
                })
                .dataFetcher("amount", environment -> {
                    StoredLine line = environment.getSource();
                    return line.priced() ? new Money(line.amount(), line.currency()) : null;
                })
                .dataFetcher("cost", environment -> {
                    StoredLine line = environment.getSource();
                    UsageEventView event = environment.getLocalContext();
                    return line.priced() && event.fxRate() != null ? new Money(Money.round(line.amount().multiply(event.fxRate())), event.billingCurrency()) : null;
                })
                .dataFetcher("rate", environment -> BatchLoaders.load(environment, SharedLoaders.RATES, environment.<StoredLine>getSource().rateId())));
    }

    private UsageSummary summary(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        long organizationId = tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
        ZoneId zone = zones.zoneFor(viewer.userId(), organizationId, environment.getArgument("timeZone"));
        return summaries.summarize(organizationId, DayRange.of(environment.<Map<String, Object>>getArgument("range"), DayRange.Preset.CURRENT_MONTH, zone, clock));
    }

    private Connection<UsageEventView> events(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        long organizationId = tenantScope.organizationFor(viewer, environment.getArgument("organizationId"));
        int first = Connection.first(environment);
        Boolean unpricedOnly = environment.getArgument("unpricedOnly");
        Map<String, Object> range = environment.getArgument("range");
        DayRange days = range == null ? null : DayRange.of(range, DayRange.Preset.CURRENT_MONTH, zones.zoneFor(viewer.userId(), organizationId), clock);
        String key = environment.getArgument("key");
        String status = environment.getArgument("status");
        UsageQueries.Filter filter = new UsageQueries.Filter(environment.getArgument("provider"), environment.getArgument("model"), Boolean.TRUE.equals(unpricedOnly),
                days == null ? null : days.start(), days == null ? null : days.end(), key == null ? null : queries.apiKeysMatching(organizationId, key),
                environment.getArgument("mode"), status == null ? null : UsageQueries.StatusFilter.valueOf(status), environment.getArgument("accountId"));
        List<UsageEventView> page = queries.page(organizationId, Connection.afterPosition(environment, UsageQueries.NEWEST), filter, first + 1);
        return Connection.ofPositions(page, first, UsageQueries::positionOf, environment.getArgument("after") != null, queries.count(organizationId, filter));
    }

    /** Tokens of an event by its plugin's units ({@link MeterClass}): completion tokens, or every other token meter. */
    private long tokens(UsageEventView event, boolean output) {
        Map<String, String> units = plugins.units(event.provider());
        MeterClass wanted = output ? MeterClass.OUTPUT_TOKENS : MeterClass.INPUT_TOKENS;
        return event.lines().stream().filter(line -> MeterClass.of(line.meter(), units.get(line.meter())) == wanted)
                .mapToLong(line -> line.quantity().longValue()).sum();
    }

    /** The notes the viewer may read on the event: all for platform admins, the viewer's own for everyone else. */
    private CompletableFuture<List<UsageNote>> visibleNotes(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        DataLoader<Long, List<UsageNote>> loader = environment.getDataLoader(NOTES);
        return loader.load(environment.<UsageEventView>getSource().id()).thenApply(found -> found == null ? List.<UsageNote>of()
                : found.stream().filter(note -> viewer.isPlatformAdmin() || note.authorUserId() == viewer.userId()).toList());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> record(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        Map<String, Object> input = environment.getArgument("input");
        // A tool user records for its own organization, every event attributed to its own Account ID.
        long organizationId = viewer.isToolUser() ? tenantScope.organizationFor(viewer, (String) input.get("organizationId"))
                : tenantScope.organizationToManage(viewer, (String) input.get("organizationId"));
        String accountCode = viewer.accountIdCode();
        List<Map<String, Object>> events = new ArrayList<>();
        List<UsageError> foreign = new ArrayList<>();
        for (Object raw : (List<?>) input.get("events")) {
            Map<String, Object> event = new LinkedHashMap<>();
            ((Map<?, ?>) raw).forEach((key, value) -> {
                if (value != null) {
                    event.put(WIRE_NAMES.getOrDefault(String.valueOf(key), String.valueOf(key)), value);
                }
            });
            if (accountCode != null) {
                Map<String, Object> dimensions = event.get("dimensions") instanceof Map<?, ?> given ? new LinkedHashMap<>((Map<String, Object>) given) : new LinkedHashMap<>();
                Object named = dimensions.get("account_id");
                if (named != null && !accountCode.equals(named)) {
                    foreign.add(new UsageError(events.size(), "dimensions.account_id", UsageErrorCode.INVALID_ACCOUNT_ID,
                            "A tool user records usage for its own Account ID " + accountCode + " only"));
                }
                dimensions.put("account_id", accountCode);
                event.put("dimensions", dimensions);
            }
            events.add(event);
        }
        Map<String, Object> payload = new HashMap<>();
        if (!foreign.isEmpty()) {
            return rejected(payload, new UsageBatchRejectedException(foreign));
        }
        try {
            List<EventResult> results = ingest.recordEvents(organizationId, null, events);
            payload.put("results", results.stream().map(result -> {
                Map<String, Object> row = new HashMap<>();
                row.put("index", result.index());
                row.put("eventId", result.eventId());
                row.put("outcome", result.outcome().name());
                row.put("cost", result.billingCost() == null ? null : new Money(result.billingCost(), result.billingCurrency()));
                row.put("originalCost", result.cost() == null ? null : new Money(result.cost(), result.currency()));
                row.put("priced", result.priced());
                return row;
            }).toList());
            payload.put("errors", List.of());
            payload.put("userErrors", List.of());
        }
        catch (UsageBatchRejectedException e) {
            return rejected(payload, e);
        }
        return payload;
    }

    private static Map<String, Object> rejected(Map<String, Object> payload, UsageBatchRejectedException e) {
        payload.put("results", List.of());
        payload.put("errors", e.errors());
        payload.put("userErrors", e.errors().stream().map(error -> new UserError(
                error.index() == null ? List.of("input", "events") : List.of("input", "events", String.valueOf(error.index()), error.field()),
                error.message(), switch (error.code()) {
                    case CONFLICT -> UsageUserErrorCode.CONFLICT;
                    case UNPRICED -> UsageUserErrorCode.UNPRICED;
                    default -> UsageUserErrorCode.INVALID;
                })).toList());
        return payload;
    }

    /** Events are nodes owned by their organization. */
    @Factory
    static class UsageNodes {

        @Singleton
        NodeLoader<UsageEventView> usageEventNodes(UsageQueries queries) {
            return NodeLoader.of(EVENT_TYPE, UsageEventView.class, queries::find, event -> Owner.organization(event.organizationId()));
        }
    }
}
