package io.meterline.platform.billing;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.TenantScope;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** GraphQL wiring of the Stripe webhook inbox, for platform admins (graphql-schema/stripe.graphqls). */
@Singleton
public class StripeEventGraphQL implements GraphQLWiring {

    /** {@code stripeEventRetry}'s input, read once here. */
    record RetryInput(@Nullable String eventId) {

        static RetryInput of(Map<String, Object> input) {
            return new RetryInput((String) input.get("eventId"));
        }
    }

    private final StripeInbox inbox;
    private final TenantScope tenantScope;
    private final Clock clock;

    public StripeEventGraphQL(StripeInbox inbox, TenantScope tenantScope, Clock clock) {
        this.inbox = inbox;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type.dataFetcher("stripeEvents", this::events));
        wiring.type("Mutation", type -> type.dataFetcher("stripeEventRetry", environment -> {
            tenantScope.requirePlatformAdmin(GraphQLContextKeys.viewer(environment));
            RetryInput input = RetryInput.of(environment.getArgument("input"));
            return Payloads.of("stripeEvent", () -> retry(input));
        }));
        wiring.type("StripeEvent", type -> type.dataFetcher("type", environment -> environment.<StripeInbox.Listed>getSource().type()));
    }

    private Connection<StripeInbox.Listed> events(DataFetchingEnvironment environment) {
        tenantScope.requirePlatformAdmin(GraphQLContextKeys.viewer(environment));
        String statusName = environment.getArgument("status");
        StripeEventStatus status = statusName == null ? null : StripeEventStatus.valueOf(statusName);
        int first = Connection.first(environment);
        List<StripeInbox.Listed> page = inbox.page(status, Connection.after(environment, Long.MAX_VALUE), first + 1);
        return Connection.of(page, first, StripeInbox.Listed::id, environment.getArgument("after") != null, inbox.count(status));
    }

    private StripeInbox.Listed retry(RetryInput input) {
        String eventId = input.eventId() == null ? "" : input.eventId().strip();
        StripeInbox.Listed event = inbox.findListed(eventId)
                .orElseThrow(() -> new UserInputException(UserError.of("eventId", BillingErrorCode.NOT_FOUND, "No Stripe event " + eventId + " was received")));
        if (event.status() != StripeEventStatus.FAILED) {
            throw new UserInputException(UserError.of("eventId", BillingErrorCode.INVALID, "Only FAILED events are retried; " + eventId + " is " + event.status()));
        }
        inbox.retry(eventId, clock.instant());
        return inbox.findListed(eventId).orElseThrow();
    }
}
