package io.meterline.platform.support;

import java.util.Map;

/** Creates tenants through the public API, as an operator would. */
public final class Fixtures {

    public static final String PASSWORD = "tenant-password-1";

    private Fixtures() {
    }

    /** An organization with an org admin (signed in), an org member and an API key. */
    public record Tenant(String organizationId, String slug, String adminEmail, String adminToken, String memberToken, String apiKeyId, String apiKey) {
    }

    public static Tenant tenant(TestApi api, String slug, String timeZone) {
        return tenant(api, slug, timeZone, "USD");
    }

    /** A tenant billed in {@code billingCurrency}. */
    public static Tenant tenant(TestApi api, String slug, String timeZone, String billingCurrency) {
        String admin = api.adminToken();
        TestApi.Response created = api.graphql(admin, "mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) { organization { id } userErrors { message } } }",
                Map.of("input", Map.of("name", "Org " + slug, "slug", slug, "timeZone", timeZone, "billingCurrency", billingCurrency)));
        String organizationId = (String) created.at("data.organizationCreate.organization.id");
        if (organizationId == null) {
            throw new AssertionError("organizationCreate failed: " + created.body());
        }
        String adminEmail = "admin@" + slug + ".test";
        String memberEmail = "member@" + slug + ".test";
        for (String[] user : new String[][] {{adminEmail, "ORG_ADMIN"}, {memberEmail, "ORG_MEMBER"}}) {
            TestApi.Response response = api.graphql(admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { message } } }",
                    Map.of("input", Map.of("organizationId", organizationId, "email", user[0], "password", PASSWORD, "role", user[1])));
            if (response.at("data.userCreate.user.id") == null) {
                throw new AssertionError("userCreate failed: " + response.body());
            }
        }
        TestApi.Response key = api.graphql(admin, "mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { apiKey { id } secret userErrors { message } } }",
                Map.of("input", Map.of("organizationId", organizationId, "label", "gateway")));
        return new Tenant(organizationId, slug, adminEmail, api.login(adminEmail, PASSWORD), api.login(memberEmail, PASSWORD),
                (String) key.at("data.apiKeyCreate.apiKey.id"), (String) key.at("data.apiKeyCreate.secret"));
    }
}
