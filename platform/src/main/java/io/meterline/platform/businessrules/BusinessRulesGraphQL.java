package io.meterline.platform.businessrules;

import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.Payloads;
import jakarta.inject.Singleton;
import java.util.Map;

/** GraphQL wiring of business rules. */
@Singleton
public class BusinessRulesGraphQL implements GraphQLWiring {

    private final BusinessRulesService service;

    public BusinessRulesGraphQL(BusinessRulesService service) {
        this.service = service;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type.dataFetcher("businessRules", environment ->
                service.read(GraphQLContextKeys.viewer(environment), environment.getArgument("organizationId")).orElse(null)));
        wiring.type("Mutation", type -> type
                .dataFetcher("businessRulesSave", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("businessRules", () -> service.save(GraphQLContextKeys.viewer(environment), (String) input.get("organizationId"),
                            (String) input.get("text")));
                })
                .dataFetcher("businessRulesClear", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("businessRules", () -> service.clear(GraphQLContextKeys.viewer(environment),
                            input == null ? null : (String) input.get("organizationId")));
                }));
        wiring.type("BusinessRules", type -> type.dataFetcher("text", environment -> environment.<BusinessRules>getSource().content()));
    }
}
