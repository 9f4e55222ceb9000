package io.meterline.platform.attribution;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.security.User;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of teams, departments and projects, their members, and the unassigned keys. */
@Singleton
public class AttributionGraphQL implements GraphQLWiring, BatchLoaders {

    static final String MEMBERS = "attributionMembers";
    static final String USER_GROUPS = "attributionUserGroups";

    private final AttributionService service;
    private final AttributionStore store;
    private final AttributionGroupRepository groups;
    private final MemberRepository users;
    private final TenantScope tenantScope;

    public AttributionGraphQL(AttributionService service, AttributionStore store, AttributionGroupRepository groups, MemberRepository users, TenantScope tenantScope) {
        this.service = service;
        this.store = store;
        this.groups = groups;
        this.users = users;
        this.tenantScope = tenantScope;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(MEMBERS, DataLoaderFactory.newMappedDataLoader((Set<Long> groupIds) -> CompletableFuture.completedFuture(
                resolve(store.membersOf(groupIds), users::findByIdIn, User::id))));
        registry.register(USER_GROUPS, DataLoaderFactory.newMappedDataLoader((Set<Long> userIds) -> CompletableFuture.completedFuture(
                resolve(store.groupsOf(userIds), groups::findByIdIn, AttributionGroup::id))));
    }

    /** Turns owner id -> row ids into owner id -> rows, with one query for every row. */
    private static <T> Map<Long, List<T>> resolve(Map<Long, List<Long>> ids, Function<Set<Long>, List<T>> load, Function<T, Long> id) {
        Map<Long, T> byId = ids.isEmpty() ? Map.of() : load.apply(ids.values().stream().flatMap(List::stream).collect(Collectors.toSet())).stream()
                .collect(Collectors.toMap(id, Function.identity()));
        Map<Long, List<T>> result = new HashMap<>();
        ids.forEach((owner, rowIds) -> result.put(owner, rowIds.stream().map(byId::get).filter(java.util.Objects::nonNull).toList()));
        return result;
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("attributionGroups", this::page)
                .dataFetcher("unassignedAttributionKeys", environment -> {
                    long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
                    Integer first = environment.getArgument("first");
                    int limit = first == null ? 100 : first;
                    if (limit < 1 || limit > Connection.MAX_FIRST) {
                        throw MeterlineException.badInput("first must be between 1 and " + Connection.MAX_FIRST);
                    }
                    return store.unassigned(organizationId, AttributionKind.valueOf(environment.getArgument("kind")), environment.getArgument("after"), limit);
                }));
        wiring.type("Mutation", type -> type
                .dataFetcher("attributionGroupCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("attributionGroup", () -> service.create(viewer(environment), (String) input.get("organizationId"),
                            AttributionKind.valueOf((String) input.get("kind")), (String) input.get("key"), (String) input.get("name")));
                })
                .dataFetcher("attributionGroupRename", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("attributionGroup", () -> service.rename(viewer(environment), (String) input.get("id"), (String) input.get("name")));
                })
                .dataFetcher("attributionGroupArchive", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("attributionGroup", () -> service.archive(viewer(environment), (String) input.get("id")));
                })
                .dataFetcher("attributionMemberAdd", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("attributionGroup", () -> service.addMember(viewer(environment), (String) input.get("groupId"), (String) input.get("userId")));
                })
                .dataFetcher("attributionMemberRemove", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("attributionGroup", () -> service.removeMember(viewer(environment), (String) input.get("groupId"), (String) input.get("userId")));
                }));
        wiring.type("AttributionGroup", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(AttributionGroup.TYPE, environment.<AttributionGroup>getSource().id()))
                .dataFetcher("key", environment -> environment.<AttributionGroup>getSource().groupKey())
                .dataFetcher("members", environment -> this.<User>listOf(environment, MEMBERS, environment.<AttributionGroup>getSource().id())));
        wiring.type("User", type -> type
                .dataFetcher("teams", environment -> this.<AttributionGroup>listOf(environment, USER_GROUPS, environment.<User>getSource().id())
                        .thenApply(found -> found.stream().filter(group -> group.kind() == AttributionKind.TEAM).toList()))
                .dataFetcher("department", environment -> this.<AttributionGroup>listOf(environment, USER_GROUPS, environment.<User>getSource().id())
                        .thenApply(found -> found.stream().filter(group -> group.kind() == AttributionKind.DEPARTMENT).findFirst().orElse(null))));
    }

    private <T> CompletableFuture<List<T>> listOf(DataFetchingEnvironment environment, String loader, long id) {
        DataLoader<Long, List<T>> dataLoader = environment.getDataLoader(loader);
        return dataLoader.load(id).thenApply(found -> found == null ? List.of() : found);
    }

    private Connection<AttributionGroup> page(DataFetchingEnvironment environment) {
        long organizationId = tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId"));
        int first = Connection.first(environment);
        String kind = environment.getArgument("kind");
        AttributionKind filter = kind == null ? null : AttributionKind.valueOf(kind);
        boolean includeArchived = Boolean.TRUE.equals(environment.getArgument("includeArchived"));
        List<AttributionGroup> page = service.page(organizationId, Connection.after(environment, 0), filter, includeArchived, first + 1);
        return Connection.of(page, first, AttributionGroup::id, environment.getArgument("after") != null, service.count(organizationId, filter, includeArchived));
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    /** Groups are nodes owned by their organization. */
    @Factory
    static class AttributionNodes {

        @Singleton
        NodeLoader<AttributionGroup> attributionGroupNodes(AttributionGroupRepository repository) {
            return NodeLoader.of(AttributionGroup.TYPE, AttributionGroup.class, repository::findById, group -> Owner.organization(group.organizationId()));
        }
    }
}
