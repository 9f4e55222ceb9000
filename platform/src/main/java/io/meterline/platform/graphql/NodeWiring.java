package io.meterline.platform.graphql;

import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code node}, {@code nodes}, the {@code Node} type resolver and {@code ping}. */
@Singleton
public class NodeWiring implements GraphQLWiring {

    private final Map<String, NodeLoader<?>> byType;
    private final Map<Class<?>, String> typeByClass;
    private final TenantScope tenantScope;
    private final Clock clock;

    public NodeWiring(List<NodeLoader<?>> loaders, TenantScope tenantScope, Clock clock) {
        this.byType = loaders.stream().collect(Collectors.toUnmodifiableMap(NodeLoader::type, Function.identity()));
        this.typeByClass = loaders.stream().collect(Collectors.toUnmodifiableMap(NodeLoader::javaType, NodeLoader::type));
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("node", environment -> load(GraphQLContextKeys.viewer(environment), environment.getArgument("id")))
                .dataFetcher("nodes", this::nodes));
        wiring.type("Mutation", type -> type.dataFetcher("ping", environment -> {
            GraphQLContextKeys.viewer(environment);
            return clock.instant();
        }));
        wiring.type("Node", type -> type.typeResolver(environment -> environment.getSchema().getObjectType(typeOf(environment.getObject()))));
    }

    /** The GraphQL type name of a loaded node. */
    public String typeOf(Object node) {
        String type = typeByClass.get(node.getClass());
        if (type == null) {
            throw new IllegalStateException("No Node type for " + node.getClass());
        }
        return type;
    }

    private Object nodes(DataFetchingEnvironment environment) {
        Viewer viewer = GraphQLContextKeys.viewer(environment);
        List<String> ids = environment.getArgument("ids");
        if (ids.size() > Connection.MAX_FIRST) {
            throw MeterlineException.badInput("nodes takes at most " + Connection.MAX_FIRST + " ids");
        }
        List<Object> found = new ArrayList<>();
        DataFetcherResult.Builder<List<Object>> result = DataFetcherResult.newResult();
        for (int index = 0; index < ids.size(); index++) {
            try {
                found.add(load(viewer, ids.get(index)));
            }
            catch (MeterlineException e) {
                found.add(null);
                result.error(GraphqlErrorBuilder.newError(environment).message(e.getMessage())
                        .path(environment.getExecutionStepInfo().getPath().segment(index)).extensions(Map.of("code", e.code().name())).build());
            }
        }
        return result.data(found).build();
    }

    private Object load(Viewer viewer, String id) {
        Optional<GlobalId> globalId = GlobalId.decode(id);
        NodeLoader<?> loader = globalId.map(value -> byType.get(value.type())).orElse(null);
        if (loader == null) {
            throw new MeterlineException(ErrorCode.NOT_FOUND, id + " was not found");
        }
        return loadChecked(viewer, loader, globalId.get().id(), id);
    }

    private <T> T loadChecked(Viewer viewer, NodeLoader<T> loader, long rowId, String id) {
        T node = loader.load(rowId).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, loader.owner(node), id);
        return node;
    }
}
