package io.meterline.platform.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.security.UserRepository;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sign-in, organizations, users and API keys, through HTTP as clients use them. */
class AccountIT extends ServerTest {

    @Inject
    UserRepository users;

    @Inject
    OrganizationRepository organizations;

    @Inject
    ApiKeyRepository apiKeys;

    @Inject
    io.micronaut.context.ApplicationContext context;

    @Test
    void bootstrapAdminSignsInAndSeesItself() {
        String token = api.adminToken();
        TestApi.Response viewer = api.graphql(token, "{ viewer { user { email role organization { id } } organization { id } timeZone } }");
        assertThat(viewer.at("data.viewer.user.email")).isEqualTo(TestApi.ADMIN_EMAIL);
        assertThat(viewer.at("data.viewer.user.role")).isEqualTo("PLATFORM_ADMIN");
        assertThat(viewer.at("data.viewer.organization")).isNull();
        assertThat(users.findByEmail(TestApi.ADMIN_EMAIL).orElseThrow().passwordHash()).startsWith("$2").doesNotContain(TestApi.ADMIN_PASSWORD);
    }

    @Test
    void noDemoDataOutsideTheDemoEnvironment() {
        assertThat(context.findBean(io.meterline.platform.demo.DemoData.class)).isEmpty();
        assertThat(organizations.findAll()).noneMatch(organization -> organization.slug().equals("northwind"));
        assertThat(users.findByEmail("admin@meterline.local")).isEmpty();
    }

    @Test
    void wrongPasswordAndAnonymousCallsAreRefused() {
        TestApi.Response login = api.post("/login", null, "application/json", api.write(Map.of("username", TestApi.ADMIN_EMAIL, "password", "wrong-password-1")));
        assertThat(login.status()).isEqualTo(401);
        TestApi.Response anonymous = api.graphql(null, "{ viewer { user { email } } }");
        assertThat(anonymous.at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
        assertThat(anonymous.at("data")).isNull();
        TestApi.Response introspection = api.graphql(null, "{ __schema { queryType { name } } }");
        assertThat(introspection.at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
        TestApi.Response forged = api.graphql("not.a.jwt", "{ viewer { user { email } } }");
        assertThat(forged.at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void refreshTokenIssuesANewAccessToken() {
        TestApi.Response login = api.post("/login", null, "application/json", api.write(Map.of("username", TestApi.ADMIN_EMAIL, "password", TestApi.ADMIN_PASSWORD)));
        String refreshToken = (String) login.at("refresh_token");
        assertThat(refreshToken).isNotBlank();
        TestApi.Response refreshed = api.post("/oauth/access_token", null, "application/json",
                api.write(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken)));
        assertThat(refreshed.status()).isEqualTo(200);
        String newToken = (String) refreshed.at("access_token");
        assertThat(api.graphql(newToken, "{ viewer { user { email } } }").at("data.viewer.user.email")).isEqualTo(TestApi.ADMIN_EMAIL);
        TestApi.Response bogus = api.post("/oauth/access_token", null, "application/json",
                api.write(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken + "x")));
        assertThat(bogus.status()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void organizationCreateRefusesBadInputAndWritesNothing() {
        String token = api.adminToken();
        long before = organizations.count();
        TestApi.Response response = api.graphql(token, "mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) { organization { id } userErrors { field code message } } }",
                Map.of("input", Map.of("name", " ", "slug", "Bad Slug!", "timeZone", "Mars/Olympus")));
        assertThat(response.at("data.organizationCreate.organization")).isNull();
        assertThat(response.codes("data.organizationCreate.userErrors")).containsExactlyInAnyOrder("BLANK", "INVALID", "INVALID");
        assertThat(organizations.count()).isEqualTo(before);

        TestApi.Response badCurrency = api.graphql(token, "mutation { organizationCreate(input: {name: \"X\", slug: \"xx\", billingCurrency: \"XYZ1\"}) { organization { id } } }");
        assertThat(badCurrency.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(organizations.count()).isEqualTo(before);
    }

    @Test
    void duplicateSlugIsTaken() {
        Fixtures.tenant(api, "dupe-slug", "UTC");
        long before = organizations.count();
        TestApi.Response again = api.graphql(api.adminToken(), "mutation { organizationCreate(input: {name: \"Again\", slug: \"dupe-slug\"}) { organization { id } userErrors { field code } } }");
        assertThat(again.at("data.organizationCreate.userErrors.0.code")).isEqualTo("TAKEN");
        assertThat(organizations.count()).isEqualTo(before);
    }

    @Test
    void userCreateChecksRolesEmailAndPassword() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "people", "Europe/Berlin");
        long before = users.count();
        String mutation = "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { email role } userErrors { field code } } }";
        TestApi.Response weak = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("email", "not-an-email", "password", "short", "role", "ORG_MEMBER")));
        assertThat(weak.codes("data.userCreate.userErrors")).containsExactlyInAnyOrder("INVALID", "LENGTH");
        TestApi.Response taken = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("email", tenant.adminEmail(), "password", Fixtures.PASSWORD, "role", "ORG_MEMBER")));
        assertThat(taken.at("data.userCreate.userErrors.0.code")).isEqualTo("TAKEN");
        TestApi.Response escalate = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("email", "boss@people.test", "password", Fixtures.PASSWORD, "role", "PLATFORM_ADMIN")));
        assertThat(escalate.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response byMember = api.graphql(tenant.memberToken(), mutation, Map.of("input", Map.of("email", "new@people.test", "password", Fixtures.PASSWORD, "role", "ORG_MEMBER")));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(users.count()).isEqualTo(before);

        TestApi.Response created = api.graphql(tenant.adminToken(), mutation, Map.of("input", Map.of("email", "New@People.test", "password", Fixtures.PASSWORD, "role", "ORG_MEMBER")));
        assertThat(created.at("data.userCreate.user.email")).isEqualTo("new@people.test");
        assertThat(api.login("new@people.test", Fixtures.PASSWORD)).isNotBlank();
    }

    @Test
    void apiKeySecretIsShownOnceAndRevocationIsImmediate() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "keys", "UTC");
        assertThat(tenant.apiKey()).startsWith("mlk_");
        ApiKey stored = apiKeys.findByPrefix(tenant.apiKey().substring(0, 16)).orElseThrow();
        assertThat(stored.secretHash()).hasSize(64).isNotEqualTo(tenant.apiKey());

        String event = "{\"events\":[{\"id\":\"k1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":1}}]}";
        assertThat(api.usage(tenant.apiKey(), event).status()).isEqualTo(200);

        TestApi.Response listed = api.graphql(tenant.memberToken(), "{ apiKeys { totalCount nodes { prefix label status lastUsedAt createdAt } } }");
        assertThat(listed.at("data.apiKeys.totalCount")).isEqualTo(1);
        assertThat(listed.at("data.apiKeys.nodes.0.prefix")).isEqualTo(tenant.apiKey().substring(0, 16));
        assertThat(listed.at("data.apiKeys.nodes.0.lastUsedAt")).isNotNull();
        assertThat(listed.body()).doesNotContain(tenant.apiKey());

        String revoke = "mutation($input: ApiKeyRevokeInput!) { apiKeyRevoke(input: $input) { apiKey { status revokedAt } userErrors { code } } }";
        TestApi.Response byMember = api.graphql(tenant.memberToken(), revoke, Map.of("input", Map.of("id", tenant.apiKeyId())));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response revoked = api.graphql(tenant.adminToken(), revoke, Map.of("input", Map.of("id", tenant.apiKeyId())));
        assertThat(revoked.at("data.apiKeyRevoke.apiKey.status")).isEqualTo("REVOKED");
        assertThat(api.usage(tenant.apiKey(), event.replace("k1", "k2")).status()).isEqualTo(401);
        TestApi.Response twice = api.graphql(tenant.adminToken(), revoke, Map.of("input", Map.of("id", tenant.apiKeyId())));
        assertThat(twice.at("data.apiKeyRevoke.userErrors.0.code")).isEqualTo("INVALID_STATE");

        TestApi.Response blank = api.graphql(tenant.adminToken(), "mutation { apiKeyCreate(input: {label: \"  \"}) { apiKey { id } secret userErrors { code } } }");
        assertThat(blank.at("data.apiKeyCreate.userErrors.0.code")).isEqualTo("BLANK");
        assertThat(blank.at("data.apiKeyCreate.secret")).isNull();
        assertThat(apiKeys.count(organizations.findAll().stream().filter(org -> org.slug().equals("keys")).findFirst().orElseThrow().id(), null)).isEqualTo(1);
    }
}
