package io.meterline.platform.account;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.graphql.BatchLoaders;
import io.meterline.platform.graphql.Connection;
import io.meterline.platform.graphql.GraphQLContextKeys;
import io.meterline.platform.graphql.GraphQLWiring;
import io.meterline.platform.graphql.NodeLoader;
import io.meterline.platform.graphql.Payloads;
import io.meterline.platform.graphql.SharedLoaders;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.User;
import io.meterline.platform.security.UserRepository;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.annotation.Factory;
import io.micronaut.data.model.Pageable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dataloader.DataLoaderRegistry;

/** GraphQL wiring of organizations, users, the viewer and API keys. */
@Singleton
public class AccountGraphQL implements GraphQLWiring, BatchLoaders {

    static final String USER_TYPE = "User";

    private final AccountService accounts;
    private final ApiKeyService apiKeys;
    private final OrganizationRepository organizations;
    private final UserRepository users;
    private final TenantScope tenantScope;
    private final ApiKeyRepository apiKeyRows;

    public AccountGraphQL(AccountService accounts, ApiKeyService apiKeys, OrganizationRepository organizations, UserRepository users, TenantScope tenantScope,
                          ApiKeyRepository apiKeyRows) {
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.organizations = organizations;
        this.users = users;
        this.tenantScope = tenantScope;
        this.apiKeyRows = apiKeyRows;
    }

    @Override
    public void register(DataLoaderRegistry registry) {
        registry.register(SharedLoaders.ORGANIZATIONS, BatchLoaders.byId(organizations::findByIdIn, Organization::id));
        registry.register(SharedLoaders.API_KEYS, BatchLoaders.byId(apiKeyRows::findByIdIn, ApiKey::id));
    }

    @Override
    public void wire(RuntimeWiring.Builder wiring) {
        wiring.type("Query", type -> type
                .dataFetcher("viewer", this::viewerFields)
                .dataFetcher("organizations", this::organizations)
                .dataFetcher("apiKeys", environment -> apiKeyPage(environment, tenantScope.organizationFor(viewer(environment), environment.getArgument("organizationId")))));
        wiring.type("Mutation", type -> type
                .dataFetcher("organizationCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("organization", () -> accounts.createOrganization(viewer(environment), new AccountService.NewOrganization(
                            (String) input.get("name"), (String) input.get("slug"), (String) input.get("billingCurrency"), (String) input.get("timeZone"))));
                })
                .dataFetcher("userCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("user", () -> accounts.createUser(viewer(environment), new AccountService.NewUser((String) input.get("organizationId"),
                            (String) input.get("email"), (String) input.get("password"), (String) input.get("displayName"), Role.valueOf((String) input.get("role")))));
                })
                .dataFetcher("apiKeyCreate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.fields(() -> {
                        ApiKeyService.CreatedKey created = apiKeys.create(viewer(environment), (String) input.get("organizationId"), (String) input.get("label"));
                        Map<String, Object> payload = new HashMap<>();
                        payload.put("apiKey", created.apiKey());
                        payload.put("secret", created.secret());
                        return payload;
                    });
                })
                .dataFetcher("apiKeyRevoke", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    return Payloads.of("apiKey", () -> apiKeys.revoke(viewer(environment), (String) input.get("id")));
                })
                .dataFetcher("organizationPricingUpdate", environment -> {
                    Map<String, Object> input = environment.getArgument("input");
                    String policy = (String) input.get("unpricedUsagePolicy");
                    return Payloads.of("organization", () -> accounts.updatePricing(viewer(environment), (String) input.get("organizationId"),
                            (BigDecimal) input.get("costFactor"), (BigDecimal) input.get("discountPercent"), policy == null ? null : UnpricedUsagePolicy.valueOf(policy)));
                }));
        wiring.type("Organization", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(TenantScope.ORGANIZATION_TYPE, environment.<Organization>getSource().id()))
                .dataFetcher("users", this::userPage)
                .dataFetcher("apiKeys", environment -> apiKeyPage(environment, environment.<Organization>getSource().id())));
        wiring.type("User", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(USER_TYPE, environment.<User>getSource().id()))
                .dataFetcher("organization", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, environment.<User>getSource().organizationId())));
        wiring.type("ApiKey", type -> type
                .dataFetcher("id", environment -> GlobalId.encode(ApiKeyService.TYPE, environment.<ApiKey>getSource().id()))
                .dataFetcher("organization", environment -> BatchLoaders.load(environment, SharedLoaders.ORGANIZATIONS, environment.<ApiKey>getSource().organizationId())));
    }

    private static Viewer viewer(DataFetchingEnvironment environment) {
        return GraphQLContextKeys.viewer(environment);
    }

    private Map<String, Object> viewerFields(DataFetchingEnvironment environment) {
        Viewer viewer = viewer(environment);
        User user = users.findById(viewer.userId()).orElseThrow(() -> new MeterlineException(io.meterline.platform.common.ErrorCode.UNAUTHENTICATED, "The signed-in user no longer exists"));
        Organization organization = user.organizationId() == null ? null : organizations.findById(user.organizationId()).orElseThrow();
        Map<String, Object> result = new HashMap<>();
        result.put("user", user);
        result.put("organization", organization);
        return result;
    }

    private Connection<Organization> organizations(DataFetchingEnvironment environment) {
        tenantScope.requirePlatformAdmin(viewer(environment));
        int first = Connection.first(environment);
        String search = environment.getArgument("search");
        String pattern = OrganizationRepository.containsPattern(search);
        List<Organization> page = organizations.findByIdGreaterThanAndNameIlikeOrderById(Connection.after(environment, 0), pattern, Pageable.from(0, first + 1));
        return Connection.of(page, first, Organization::id, environment.getArgument("after") != null, organizations.countByNameIlike(pattern));
    }

    private Connection<User> userPage(DataFetchingEnvironment environment) {
        Organization organization = environment.getSource();
        tenantScope.check(viewer(environment), Owner.organization(organization.id()), "Organization");
        int first = Connection.first(environment);
        List<User> page = users.findByOrganizationIdAndIdGreaterThanOrderById(organization.id(), Connection.after(environment, 0), Pageable.from(0, first + 1));
        return Connection.of(page, first, User::id, environment.getArgument("after") != null, users.countByOrganizationId(organization.id()));
    }

    private Connection<ApiKey> apiKeyPage(DataFetchingEnvironment environment, long organizationId) {
        tenantScope.check(viewer(environment), Owner.organization(organizationId), "Organization");
        int first = Connection.first(environment);
        String status = environment.getArgument("status");
        ApiKeyStatus filter = status == null ? null : ApiKeyStatus.valueOf(status);
        List<ApiKey> page = apiKeys.page(organizationId, Connection.after(environment, Long.MAX_VALUE), filter, first + 1);
        return Connection.of(page, first, ApiKey::id, environment.getArgument("after") != null, apiKeys.count(organizationId, filter));
    }

    /** Node loaders of the account types. */
    @Factory
    static class AccountNodes {

        @Singleton
        NodeLoader<Organization> organizationNodes(OrganizationRepository repository) {
            return NodeLoader.of(TenantScope.ORGANIZATION_TYPE, Organization.class, repository::findById, organization -> Owner.organization(organization.id()));
        }

        @Singleton
        NodeLoader<User> userNodes(UserRepository repository) {
            return NodeLoader.of(USER_TYPE, User.class, repository::findById,
                    user -> user.organizationId() == null ? Owner.platform() : Owner.organization(user.organizationId()));
        }

        @Singleton
        NodeLoader<ApiKey> apiKeyNodes(ApiKeyRepository repository) {
            return NodeLoader.of(ApiKeyService.TYPE, ApiKey.class, repository::findById, key -> Owner.organization(key.organizationId()));
        }
    }
}
