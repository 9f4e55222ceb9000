package io.meterline.platform.profile;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The profile page: display name, phone, time zone (and the zone queries default to), and the company details. */
class ProfileIT extends ServerTest {

    private static final String PROFILE = "{ profile { displayName email phone timeZone effectiveTimeZone pendingEmail { email } } viewer { timeZone } }";
    private static final String UPDATE = "mutation($input: ProfileUpdateInput!) { profileUpdate(input: $input) {"
            + " profile { displayName phone timeZone effectiveTimeZone } userErrors { field code message } } }";
    private static final String COMPANY_UPDATE = "mutation($input: CompanyDetailsUpdateInput!) { companyDetailsUpdate(input: $input) {"
            + " companyDetails { companyName contactName billingEmail billingPhone addressLine1 addressLine2 city region postalCode country updatedBy }"
            + " userErrors { field code message } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "profiles", "Asia/Kolkata");
    }

    @Test
    void aNewUserFollowsTheOrganizationsZoneUntilTheyChooseTheirOwn() {
        String token = Fixtures.tenant(api, "zones", "Europe/Berlin").memberToken();
        TestApi.Response before = api.graphql(token, PROFILE);
        assertThat(before.at("data.profile.email")).isEqualTo("member@zones.test");
        assertThat(before.at("data.profile.displayName")).isEqualTo("member");
        assertThat(before.at("data.profile.phone")).isNull();
        assertThat(before.at("data.profile.timeZone")).isNull();
        assertThat(before.at("data.profile.effectiveTimeZone")).isEqualTo("Europe/Berlin");
        assertThat(before.at("data.profile.pendingEmail")).isNull();
        assertThat(before.at("data.viewer.timeZone")).isEqualTo("Europe/Berlin");

        TestApi.Response saved = api.graphql(token, UPDATE, Map.of("input", Map.of("displayName", "  Ana Lima ", "phone", "+1 (416) 555-0100", "timeZone", "America/St_Johns")));
        assertThat(saved.codes("data.profileUpdate.userErrors")).isEmpty();
        assertThat(saved.at("data.profileUpdate.profile.displayName")).isEqualTo("Ana Lima");
        assertThat(saved.at("data.profileUpdate.profile.phone")).isEqualTo("+14165550100");
        assertThat(saved.at("data.profileUpdate.profile.effectiveTimeZone")).isEqualTo("America/St_Johns");
        assertThat(api.graphql(token, PROFILE).at("data.viewer.timeZone")).isEqualTo("America/St_Johns");
        // usageSummary without a zone reads the days in the viewer's own zone (a half-hour offset here).
        assertThat(api.graphql(token, "{ usageSummary { timeZone } }").at("data.usageSummary.timeZone")).isEqualTo("America/St_Johns");

        // Naming only the phone keeps the rest; clearing the zone follows the organization again.
        TestApi.Response cleared = api.graphql(token, UPDATE, Map.of("input", mapWithNull("timeZone", Map.of("phone", "+49 30 1234567"))));
        assertThat(cleared.at("data.profileUpdate.profile.displayName")).isEqualTo("Ana Lima");
        assertThat(cleared.at("data.profileUpdate.profile.phone")).isEqualTo("+49301234567");
        assertThat(cleared.at("data.profileUpdate.profile.timeZone")).isNull();
        assertThat(cleared.at("data.profileUpdate.profile.effectiveTimeZone")).isEqualTo("Europe/Berlin");
        assertThat(api.graphql(token, "{ usageSummary { timeZone } }").at("data.usageSummary.timeZone")).isEqualTo("Europe/Berlin");
        assertThat(api.graphql(api.adminToken(), "{ profile { effectiveTimeZone } viewer { timeZone } }").at("data.viewer.timeZone")).isEqualTo("UTC");
    }

    @Test
    void badProfileInputIsRefusedAndNothingIsStored() {
        String token = tenant.adminToken();
        Map<String, Map<String, Object>> cases = Map.of(
                "phone", Map.of("phone", "416 555 0100"),
                "timeZone", Map.of("timeZone", "Mars/Base"),
                "displayName", Map.of("displayName", "x".repeat(201)));
        for (Map.Entry<String, Map<String, Object>> bad : cases.entrySet()) {
            TestApi.Response response = api.graphql(token, UPDATE, Map.of("input", bad.getValue()));
            assertThat(response.at("data.profileUpdate.profile")).as(bad.getKey()).isNull();
            assertThat(response.pluck("data.profileUpdate.userErrors", "field")).as(bad.getKey()).containsExactly(List.of("input", bad.getKey()));
            assertThat(response.codes("data.profileUpdate.userErrors")).as(bad.getKey()).containsExactly(bad.getKey().equals("displayName") ? "LENGTH" : "INVALID");
        }
        TestApi.Response offset = api.graphql(token, UPDATE, Map.of("input", Map.of("timeZone", "+05:30", "phone", "+12")));
        assertThat(offset.codes("data.profileUpdate.userErrors")).containsExactly("INVALID", "INVALID");
        TestApi.Response blankName = api.graphql(token, UPDATE, Map.of("input", Map.of("displayName", " ")));
        assertThat(blankName.codes("data.profileUpdate.userErrors")).containsExactly("BLANK");
        assertThat(rows.count("SELECT COUNT(*) FROM user_profile p JOIN app_user u ON u.id = p.user_id WHERE u.email = ?", tenant.adminEmail())).isZero();
        assertThat(rows.value("SELECT display_name FROM app_user WHERE email = ?", tenant.adminEmail())).isEqualTo("admin");
    }

    @Test
    void adminsSaveTheCompanyDetailsAndMembersReadThem() {
        Fixtures.Tenant company = Fixtures.tenant(api, "billto", "UTC");
        assertThat(api.graphql(company.memberToken(), "{ companyDetails { companyName } }").at("data.companyDetails")).isNull();
        Map<String, Object> input = new HashMap<>(Map.of("companyName", " Bay Motors Ltd. ", "contactName", "Ana Lima", "billingEmail", "Billing@BayMotors.test",
                "billingPhone", "+1 416-555-0100", "addressLine1", "1 King St W", "city", "Toronto", "region", "ON", "postalCode", "M5H 1A1", "country", "ca"));
        TestApi.Response saved = api.graphql(company.adminToken(), COMPANY_UPDATE, Map.of("input", input));
        assertThat(saved.codes("data.companyDetailsUpdate.userErrors")).isEmpty();
        Map<?, ?> details = (Map<?, ?>) saved.at("data.companyDetailsUpdate.companyDetails");
        assertThat(details.get("companyName")).isEqualTo("Bay Motors Ltd.");
        assertThat(details.get("billingEmail")).isEqualTo("billing@baymotors.test");
        assertThat(details.get("billingPhone")).isEqualTo("+14165550100");
        assertThat(details.get("country")).isEqualTo("CA");
        assertThat(details.get("addressLine2")).isNull();
        assertThat(details.get("updatedBy")).isEqualTo(company.adminEmail());
        assertThat(api.graphql(company.memberToken(), "{ companyDetails { companyName postalCode } }").at("data.companyDetails.postalCode")).isEqualTo("M5H 1A1");

        input.put("addressLine2", "Suite 400");
        input.put("country", "DE");
        assertThat(api.graphql(company.adminToken(), COMPANY_UPDATE, Map.of("input", input)).at("data.companyDetailsUpdate.companyDetails.addressLine2")).isEqualTo("Suite 400");
        assertThat(rows.count("SELECT COUNT(*) FROM company_details")).isEqualTo(1);
        assertThat(rows.value("SELECT country FROM company_details")).isEqualTo("DE");

        TestApi.Response byMember = api.graphql(company.memberToken(), COMPANY_UPDATE, Map.of("input", Map.of("companyName", "Mine", "country", "CA")));
        assertThat(byMember.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.value("SELECT company_name FROM company_details")).isEqualTo("Bay Motors Ltd.");
    }

    @Test
    void badCompanyDetailsAreRefusedAndNothingIsStored() {
        Fixtures.Tenant company = Fixtures.tenant(api, "billto-bad", "UTC");
        Map<String, Object> valid = Map.of("companyName", "Bay Motors", "country", "CA");
        Map<String, Object[]> cases = Map.of(
                "billingEmail", new Object[] {"billing-at-baymotors", "INVALID"},
                "billingPhone", new Object[] {"555-0100", "INVALID"},
                "country", new Object[] {"XX", "INVALID"},
                "companyName", new Object[] {"x".repeat(201), "LENGTH"},
                "postalCode", new Object[] {"1".repeat(21), "LENGTH"},
                "city", new Object[] {"c".repeat(101), "LENGTH"});
        for (Map.Entry<String, Object[]> bad : cases.entrySet()) {
            Map<String, Object> input = new HashMap<>(valid);
            input.put(bad.getKey(), bad.getValue()[0]);
            TestApi.Response response = api.graphql(company.adminToken(), COMPANY_UPDATE, Map.of("input", input));
            assertThat(response.at("data.companyDetailsUpdate.companyDetails")).as(bad.getKey()).isNull();
            assertThat(response.pluck("data.companyDetailsUpdate.userErrors", "field")).as(bad.getKey()).containsExactly(List.of("input", bad.getKey()));
            assertThat(response.codes("data.companyDetailsUpdate.userErrors")).as(bad.getKey()).containsExactly(bad.getValue()[1]);
        }
        TestApi.Response blank = api.graphql(company.adminToken(), COMPANY_UPDATE, Map.of("input", Map.of("companyName", " ", "country", "")));
        assertThat(blank.codes("data.companyDetailsUpdate.userErrors")).containsExactly("BLANK", "BLANK");
        assertThat(rows.count("SELECT COUNT(*) FROM company_details c JOIN organization o ON o.id = c.organization_id WHERE o.slug = 'billto-bad'")).isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePasswordPolicyAndTheTimeZonesAreListed() {
        TestApi.Response response = api.graphql(tenant.memberToken(), "{ passwordPolicy { minLength maxBytes requirements { code description } } timeZones }");
        assertThat(response.at("data.passwordPolicy.minLength")).isEqualTo(12);
        assertThat(response.at("data.passwordPolicy.maxBytes")).isEqualTo(72);
        assertThat(response.pluck("data.passwordPolicy.requirements", "code")).containsExactly("MIN_LENGTH", "MAX_LENGTH", "NOT_EMAIL", "NOT_COMMON", "NOT_RECENT");
        assertThat((List<Object>) response.at("data.timeZones")).contains("America/Toronto", "Asia/Kolkata", "Australia/Eucla").doesNotContain("+05:30");
    }

    private static Map<String, Object> mapWithNull(String key, Map<String, Object> others) {
        Map<String, Object> map = new HashMap<>(others);
        map.put(key, null);
        return map;
    }
}
