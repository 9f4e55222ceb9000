package io.meterline.platform.billing;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.account.Organization;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import io.meterline.platform.account.Organization;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;

/** GraphQL wiring of the Billing page and the Stripe actions; inputs are read once, here, into records. */
@Singleton
public class BillingGraphQL implements GraphQLWiring {

    private final BillingService billing;
    private final BillingCurrencyService currencies;

    public BillingGraphQL(BillingService billing, BillingCurrencyService currencies) {
        this.billing = billing;
        this.currencies = currencies;
    }

    /** {@code SubscriptionCheckoutCreateInput}. */
    record SubscriptionCheckoutInput(@Nullable String organizationId, String planId) {
        static SubscriptionCheckoutInput of(Map<String, Object> input) {
            return new SubscriptionCheckoutInput((String) input.get("organizationId"), (String) input.get("planId"));
        }
    }

    /** {@code TopUpCheckoutCreateInput}. */
    record TopUpCheckoutInput(@Nullable String organizationId, String packId) {
        static TopUpCheckoutInput of(Map<String, Object> input) {
            return new TopUpCheckoutInput((String) input.get("organizationId"), (String) input.get("packId"));
        }
    }

    /** {@code CreditsCheckoutCreateInput}. */
    record CreditsCheckoutInput(@Nullable String organizationId, BigDecimal amount) {
        static CreditsCheckoutInput of(Map<String, Object> input) {
            return new CreditsCheckoutInput((String) input.get("organizationId"), (BigDecimal) input.get("amount"));
        }
    }

    /** {@code BillingPortalSessionCreateInput}. */
    record PortalInput(@Nullable String organizationId, BillingService.PortalFlow flow) {
        static PortalInput of(Map<String, Object> input) {
            Object flow = input.get("flow");
            return new PortalInput((String) input.get("organizationId"), flow == null ? BillingService.PortalFlow.HOME : BillingService.PortalFlow.valueOf((String) flow));
        }
    }

    /** {@code BillingCurrencyChangeInput}. */
    static BillingCurrencyService.Change currencyChange(Map<String, Object> input) {
        return new BillingCurrencyService.Change((String) input.get("organizationId"), (String) input.get("currencyCode"), (LocalDate) input.get("effectiveFrom"));
    }

    /** One row of {@code Organization.billingCurrencyHistory}. */
    record BillingCurrencyPeriod(String currencyCode, LocalDate effectiveFrom) {
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("billing", environment -> billing.billing(viewer(environment), environment.getArgument("organizationId"))));
        wiring.type("Mutation", type -> type
                .dataFetcher("subscriptionCheckoutCreate", environment -> {
                    SubscriptionCheckoutInput input = SubscriptionCheckoutInput.of(environment.getArgument("input"));
                    return Payloads.of("url", () -> billing.subscriptionCheckout(viewer(environment), input.organizationId(), input.planId()));
                })
                .dataFetcher("topUpCheckoutCreate", environment -> {
                    TopUpCheckoutInput input = TopUpCheckoutInput.of(environment.getArgument("input"));
                    return Payloads.of("url", () -> billing.topUpCheckout(viewer(environment), input.organizationId(), input.packId()));
                })
                .dataFetcher("creditsCheckoutCreate", environment -> {
                    CreditsCheckoutInput input = CreditsCheckoutInput.of(environment.getArgument("input"));
                    return Payloads.of("url", () -> billing.creditsCheckout(viewer(environment), input.organizationId(), input.amount()));
                })
                .dataFetcher("billingCurrencyChange", environment -> {
                    BillingCurrencyService.Change input = currencyChange(environment.getArgument("input"));
                    return Payloads.of("organization", () -> currencies.change(viewer(environment), input));
                })
                .dataFetcher("billingPortalSessionCreate", environment -> {
                    PortalInput input = PortalInput.of(environment.getArgument("input"));
                    return Payloads.of("url", () -> billing.portal(viewer(environment), input.organizationId(), input.flow()));
                }));
        wiring.type("Organization", type -> type
                .dataFetcher("billingCurrencyHistory", environment -> currencies.schedule(environment.<Organization>getSource()).changes().entrySet().stream()
                        .map(change -> new BillingCurrencyPeriod(change.getValue(), change.getKey())).toList()));
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }
}
