package io.meterline.platform.pricing;

import graphql.schema.idl.RuntimeWiring;
import io.meterline.plugin.spi.Meter;
import io.meterline.plugin.spi.Model;
import io.meterline.plugin.spi.ProviderPlugin;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of providers, rates and {@code rateSet}. */
@Singleton
public class PricingGraphQL implements GraphQLWiring, BatchLoaders {

    private final RateRepository rates;

    private final PluginRegistry plugins;
    private final PriceBook priceBook;
    private final PricingService pricing;

    public PricingGraphQL(PluginRegistry plugins, PriceBook priceBook, PricingService pricing, RateRepository rates) {
        this.rates = rates;
        this.plugins = plugins;
        this.priceBook = priceBook;
        this.pricing = pricing;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(SharedLoaders.RATES, BatchLoaders.byId(rates::findByIdIn, RateRecord::id));
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("providers", environment -> {
                    GraphQLContextKeys.viewer(environment);
                    priceBook.refreshIfChanged();
                    return plugins.all().stream().map(ProviderView::of).toList();
                })
                .dataFetcher("rates", environment -> {
                    GraphQLContextKeys.viewer(environment);
                    String model = environment.getArgument("model");
                    String meter = environment.getArgument("meter");
                    return priceBook.history(environment.getArgument("provider")).stream()
                            .filter(rate -> model == null || rate.model().equals(model))
                            .filter(rate -> meter == null || rate.meter().equals(meter))
                            .toList();
                }));
        wiring.type("Mutation", type -> type.dataFetcher("rateSet", environment -> {
            Viewer viewer = GraphQLContextKeys.viewer(environment);
            Map<String, Object> input = environment.getArgument("input");
            Map<String, Object> result = Payloads.fields(() -> {
                OffsetDateTime effectiveFrom = (OffsetDateTime) input.get("effectiveFrom");
                Number per = (Number) input.get("per");
                PricingService.RateChange change = pricing.setRate(viewer, new PricingService.NewRate((String) input.get("provider"), (String) input.get("model"),
                        (String) input.get("meter"), (BigDecimal) input.get("unitPrice"), per == null ? null : per.longValue(),
                        (String) input.get("currencyCode"), effectiveFrom == null ? null : effectiveFrom.toInstant()));
                Map<String, Object> payload = new HashMap<>();
                payload.put("rate", change.rate());
                payload.put("repricedEventCount", change.repricedEventCount());
                return payload;
            });
            result.putIfAbsent("repricedEventCount", 0L);
            return result;
        }));
        wiring.type("Provider", type -> type.dataFetcher("rates", environment -> priceBook.current(environment.<ProviderView>getSource().id())));
        wiring.type("Rate", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(PricingService.RATE_TYPE, environment.<RateRecord>getSource().id()))
                .dataFetcher("unitPrice", environment -> {
                    RateRecord rate = environment.getSource();
                    return new Money(rate.unitPrice(), rate.currency());
                })
                .dataFetcher("per", environment -> environment.<RateRecord>getSource().perQuantity())
                .dataFetcher("effectiveTo", environment -> priceBook.successor(environment.getSource()).map(RateRecord::effectiveFrom).orElse(null)));
    }

    /**
     * A provider as the API shows it, copied out of the plugin: a partner's plugin class may not be
     * public, and the API should never call into plugin code while serialising.
     */
    public record ProviderView(String id, String displayName, String plugin, List<Meter> meters, List<Model> models) {

        static ProviderView of(ProviderPlugin plugin) {
            return new ProviderView(plugin.id(), plugin.displayName(), PluginRegistry.label(plugin), List.copyOf(plugin.meters()), List.copyOf(plugin.models()));
        }
    }

    /** Rates are readable by every signed-in user. */
    @Factory
    static class PricingNodes {

        @Singleton
        NodeLoader<RateRecord> rateNodes(RateRepository rates) {
            return NodeLoader.of(PricingService.RATE_TYPE, RateRecord.class, rates::findById, rate -> Owner.everyone());
        }
    }
}
