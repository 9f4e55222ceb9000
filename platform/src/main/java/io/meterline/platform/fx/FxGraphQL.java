package io.meterline.platform.fx;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/** GraphQL wiring of exchange rates: {@code fxRate}, {@code fxRates}, {@code fxStatus} and {@code fxRateSet}. */
@Singleton
public class FxGraphQL implements GraphQLWiring {

    private final FxService service;

    public FxGraphQL(FxService service) {
        this.service = service;
    }

    /**
     * The schema's {@code FxRate}, for a stored rate and a computed one alike.
     *
     * @param from the currency converted from
     * @param to the currency converted into
     * @param rate units of {@code to} per {@code from}
     * @param rateDate the day of the rate
     * @param source the {@link FxSource} name
     * @param setBy who set a MANUAL stored rate, shown to platform admins only
     * @param position a stored rate's place in {@code fxRates} (day, then row id); null for a computed rate
     */
    record FxRateView(String from, String to, BigDecimal rate, LocalDate rateDate, String source, @Nullable String setBy,
                      Connection.@Nullable Position position) {

        static FxRateView of(CrossRate rate) {
            return new FxRateView(rate.from(), rate.to(), rate.rate(), rate.rateDate(), rate.source().name(), null, null);
        }

        static FxRateView of(FxRate rate, Viewer viewer) {
            return new FxRateView(rate.baseCurrency(), rate.quoteCurrency(), rate.rate(), rate.rateDate(), rate.source().name(),
                    viewer.isPlatformAdmin() ? rate.setBy() : null, new Connection.Position(rate.rateDate().toEpochDay(), rate.id()));
        }
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("fxRate", environment -> service.rate(GraphQLContextKeys.viewer(environment), environment.getArgument("from"),
                        environment.getArgument("to"), environment.getArgument("date")).map(FxRateView::of).orElse(null))
                .dataFetcher("fxRates", this::rates)
                .dataFetcher("fxStatus", environment -> status(service.status(GraphQLContextKeys.viewer(environment)))));
        wiring.type("Mutation", type -> type.dataFetcher("fxRateSet", environment -> {
            Viewer viewer = GraphQLContextKeys.viewer(environment);
            FxService.RateSetInput input = rateSetInput(environment.getArgument("input"));
            return Payloads.of("fxRate", () -> FxRateView.of(service.set(viewer, input), viewer));
        }));
    }

    private Connection<FxRateView> rates(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        int first = Connection.first(environment);
        Connection.Position after = environment.getArgument("after") == null ? null : Connection.afterPosition(environment, null);
        FxService.RatePage page = service.rates(viewer, environment.getArgument("currency"), first, after);
        return Connection.ofPositions(page.rates().stream().map(rate -> FxRateView.of(rate, viewer)).toList(), first,
                FxRateView::position, after != null, page.totalCount());
    }

    private static Map<String, Object> status(FxService.Status status) {
        FxLoadStatus load = status.load();
        Map<String, Object> result = new HashMap<>();
        result.put("enabled", status.enabled());
        result.put("url", status.url());
        result.put("state", load.state().name());
        result.put("lastAttemptAt", load.lastAttemptAt());
        result.put("lastSuccessAt", load.lastSuccessAt());
        result.put("lastFailureAt", load.lastFailureAt());
        result.put("lastError", load.lastError() == null ? null : load.lastError().name());
        result.put("lastHttpStatus", load.lastHttpStatus());
        result.put("attempts", load.attempts());
        result.put("latestRateDate", load.latestRateDate());
        result.put("ratesStored", load.ratesStored());
        result.put("newestRateDate", status.newestRateDate());
        result.put("stale", status.stale());
        return result;
    }

    /** Reads {@code fxRateSet}'s input once; the schema's scalars have already checked each value's type. */
    private static FxService.RateSetInput rateSetInput(Map<String, Object> input) {
        return new FxService.RateSetInput(input.get("currency") instanceof String currency ? currency : null,
                input.get("rate") instanceof BigDecimal rate ? rate : null,
                input.get("date") instanceof LocalDate date ? date : null);
    }
}
