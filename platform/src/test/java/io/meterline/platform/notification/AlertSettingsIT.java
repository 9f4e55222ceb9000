package io.meterline.platform.notification;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seed 002's "Configure Budget Alerts": on / off, threshold percent, alert email. */
class AlertSettingsIT extends ServerTest {

    private static final String READ = "query($org: ID) { alertSettings(organizationId: $org) { organization { slug } enabled thresholdPercent email emailIsDefault } }";
    private static final String UPDATE = "mutation($input: AlertSettingsUpdateInput!) { alertSettingsUpdate(input: $input) {"
            + " alertSettings { enabled thresholdPercent email emailIsDefault } userErrors { field message code } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    private TestApi.Response read(String token, String organizationId) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("org", organizationId);
        return api.graphql(token, READ, variables);
    }

    @Test
    void alertsAreOffAt80PercentToTheOldestAdminUntilChanged() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "alerts-default", "UTC");
        // A second, newer admin does not become the default recipient.
        api.graphql(api.adminToken(), "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } } }",
                Map.of("input", Map.of("organizationId", tenant.organizationId(), "email", "newer-admin@alerts-default.test", "password", Fixtures.PASSWORD, "role", "ORG_ADMIN")));
        TestApi.Response settings = read(tenant.memberToken(), null);
        assertThat(settings.at("data.alertSettings.organization.slug")).as(settings.body()).isEqualTo("alerts-default");
        assertThat(settings.at("data.alertSettings.enabled")).isEqualTo(false);
        assertThat(settings.at("data.alertSettings.thresholdPercent")).isEqualTo(80);
        assertThat(settings.at("data.alertSettings.email")).isEqualTo(tenant.adminEmail());
        assertThat(settings.at("data.alertSettings.emailIsDefault")).isEqualTo(true);
    }

    @Test
    void anOrganizationAdminTurnsAlertsOnAndChoosesThresholdAndEmail() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "alerts-change", "UTC");
        TestApi.Response updated = api.graphql(tenant.adminToken(), UPDATE,
                Map.of("input", Map.of("enabled", true, "thresholdPercent", 90, "email", " Ops@Example.com ")));
        assertThat(updated.at("data.alertSettingsUpdate.userErrors")).as(updated.body()).isEqualTo(List.of());
        assertThat(updated.at("data.alertSettingsUpdate.alertSettings")).isEqualTo(
                Map.of("enabled", true, "thresholdPercent", 90, "email", "ops@example.com", "emailIsDefault", false));
        assertThat(read(tenant.memberToken(), null).at("data.alertSettings.email")).isEqualTo("ops@example.com");

        // A field left out keeps its value; an explicit null email goes back to the default recipient.
        Map<String, Object> input = new HashMap<>();
        input.put("email", null);
        TestApi.Response reset = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", input));
        assertThat(reset.at("data.alertSettingsUpdate.alertSettings")).as(reset.body()).isEqualTo(
                Map.of("enabled", true, "thresholdPercent", 90, "email", tenant.adminEmail(), "emailIsDefault", true));

        TestApi.Response off = api.graphql(api.adminToken(), UPDATE, Map.of("input", Map.of("organizationId", tenant.organizationId(), "enabled", false)));
        assertThat(off.at("data.alertSettingsUpdate.alertSettings.enabled")).as(off.body()).isEqualTo(false);
        assertThat(off.at("data.alertSettingsUpdate.alertSettings.thresholdPercent")).isEqualTo(90);
        assertThat(read(api.adminToken(), tenant.organizationId()).at("data.alertSettings.enabled")).isEqualTo(false);
    }

    @Test
    void refusedSettingsAreNotSaved() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "alerts-refused", "UTC");
        Rows rows = new Rows(transactions);
        for (int threshold : new int[] {0, 101, -5}) {
            TestApi.Response response = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", Map.of("enabled", true, "thresholdPercent", threshold)));
            assertThat(response.at("data.alertSettingsUpdate.alertSettings")).as(response.body()).isNull();
            assertThat(response.at("data.alertSettingsUpdate.userErrors.0.field")).isEqualTo(List.of("input", "thresholdPercent"));
            assertThat(response.codes("data.alertSettingsUpdate.userErrors")).containsExactly("OUT_OF_RANGE");
        }
        TestApi.Response both = api.graphql(tenant.adminToken(), UPDATE, Map.of("input", Map.of("enabled", true, "thresholdPercent", 200, "email", "not-an-address")));
        assertThat(both.codes("data.alertSettingsUpdate.userErrors")).as(both.body()).containsExactly("OUT_OF_RANGE", "INVALID");
        assertThat(both.pluck("data.alertSettingsUpdate.userErrors", "field")).containsExactly(List.of("input", "thresholdPercent"), List.of("input", "email"));
        TestApi.Response member = api.graphql(tenant.memberToken(), UPDATE, Map.of("input", Map.of("enabled", true)));
        assertThat(member.at("errors.0.extensions.code")).as(member.body()).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM alert_settings a JOIN organization o ON o.id = a.organization_id WHERE o.slug = 'alerts-refused'")).isZero();
        assertThat(read(tenant.adminToken(), null).at("data.alertSettings.enabled")).isEqualTo(false);
    }
}
